"""A problem found in a return, as the site will read it."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.rules import Severity, rule


@dataclass(frozen=True, order=True)
class Problem:
    table: str
    row: int | None  # row in the site's own file, header = 1; None for the whole table/file
    column: str | None
    rule_id: str
    value: str | None = None  # never set for an identity number

    @property
    def severity(self) -> Severity:
        return rule(self.rule_id).severity

    @property
    def message_sv(self) -> str:
        return rule(self.rule_id).sv

    @property
    def message_en(self) -> str:
        return rule(self.rule_id).en
