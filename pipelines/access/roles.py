"""The three kinds of reader of the dashboard, and what each may receive.

- viewer (ministries, agencies, regions): disclosure-protected figures only, national and per county;
- site (one ``site_id``): its own figures unprotected, beside the protected county and national ones;
- analyst (the national support function): everything, every site's own figures included.

Every query of published figures takes a ``Reader`` and returns only what its role may receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from schemas.tables import SITE_ID


class Role(StrEnum):
    VIEWER = "viewer"
    SITE = "site"
    ANALYST = "analyst"


@dataclass(frozen=True)
class Reader:
    username: str
    role: Role
    site_id: str | None = None  # set for a site reader, and only for one

    def __post_init__(self) -> None:
        if (self.role == Role.SITE) != (self.site_id is not None):
            raise ValueError("a site reader has a site_id, and only a site reader has one")
        if self.site_id is not None and not SITE_ID.fullmatch(self.site_id):
            raise ValueError(f"not a site id: {self.site_id!r}")

    def may_read_site(self, site_id: str) -> bool:
        """Whether this reader may receive ``site_id``'s own (unprotected) figures."""
        return self.role == Role.ANALYST or (self.role == Role.SITE and self.site_id == site_id)


class AccessDenied(Exception):
    """A reader asked for figures its role may not receive."""

    def __init__(self, reader: Reader, what: str):
        super().__init__(f"{reader.username} ({reader.role}) may not read {what}")
