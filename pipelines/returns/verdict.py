"""What became of a submitted return."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # archived, with the problems to fix
    REFUSED = "refused"  # holds an identity number: nothing of it is kept
    UNREADABLE = "unreadable"  # cannot be read, so cannot be checked: nothing of it is kept
    DUPLICATE = "duplicate"  # the same content was received before: nothing changes

    @property
    def archived(self) -> bool:
        return self in (Verdict.ACCEPTED, Verdict.REJECTED)
