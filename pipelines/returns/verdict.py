"""What became of a submitted return."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # archived, with the problems to fix
    REFUSED = "refused"  # holds an identity number: nothing of it is kept
    UNREADABLE = "unreadable"  # cannot be read, so cannot be checked: nothing of it is kept
    DUPLICATE = "duplicate"  # the same content was received before: nothing changes
    WRONG_SITE = "wrong_site"  # uploaded by one site for another: nothing of it is kept

    @property
    def words(self) -> tuple[str, str]:
        """The verdict as a site reads it: Swedish, English."""
        return {Verdict.ACCEPTED: ("godkänd", "accepted"), Verdict.REJECTED: ("avvisad", "rejected"),
                Verdict.REFUSED: ("vägrad: innehåller personnummer", "refused: holds an identity number"),
                Verdict.UNREADABLE: ("oläsbar", "unreadable"), Verdict.DUPLICATE: ("redan inlämnad", "sent before"),
                Verdict.WRONG_SITE: ("gäller en annan verksamhet", "for another site")}[self]

    @property
    def archived(self) -> bool:
        return self in (Verdict.ACCEPTED, Verdict.REJECTED)
