"""The feedback a site gets for a return: on screen and as files to open beside its own.

Every report says at its top which site, year, source file, time and verdict it is about, and is named so
(``IPS0042_2025_rejected_20260301T101500.xlsx``); headings and severities are in Swedish with English beside.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines.private_files import PRIVATE_FILE
from pipelines.returns.verdict import Verdict
from pipelines.spreadsheet import write_csv, write_xlsx
from schemas.problems import Problem
from schemas.rules import Severity, rule
from schemas.tables import SITE_ID

HEADER = ["allvarlighet / severity", "tabell / table", "rad / row", "kolumn / column", "värde / value",
          "regel / rule", "meddelande", "message"]
SUMMARY_HEADER = ["regel / rule", "allvarlighet / severity", "antal / count", "meddelande", "message"]
SEVERITY_TAG = {Severity.ERROR: "FEL/ERROR", Severity.WARNING: "VARNING/WARNING"}


@dataclass(frozen=True)
class Heading:
    """What a report is about."""

    site_id: str | None
    reporting_year: int | None
    source_name: str
    checked_at: dt.datetime  # UTC
    verdict: Verdict

    @property
    def stem(self) -> str:
        # the site id only as the format has it: the return's own words must never choose where a file is written
        site = self.site_id if self.site_id is not None and SITE_ID.fullmatch(self.site_id) else "okand"
        return f"{site}_{self.reporting_year or 'okant'}_{self.verdict}_{self.checked_at:%Y%m%dT%H%M%S}"

    def rows(self) -> list[list[object]]:
        return [["verksamhet / site", self.site_id or "okänd / unknown"],
                ["år / year", self.reporting_year if self.reporting_year is not None else "okänt / unknown"],
                ["fil / file", self.source_name],
                ["kontrollerad / checked (UTC)", f"{self.checked_at:%Y-%m-%d %H:%M:%S}"],
                ["beslut / verdict", " / ".join(self.verdict.words)]]


def problem_rows(problems: list[Problem]) -> list[list[object]]:
    return [[SEVERITY_TAG[p.severity], p.table, p.row, p.column, p.value, p.rule_id, p.message_sv, p.message_en] for p in problems]


def summary_rows(problems: list[Problem]) -> list[list[object]]:
    counts = Counter(p.rule_id for p in problems)
    return [[rule_id, SEVERITY_TAG[rule(rule_id).severity], n, rule(rule_id).sv, rule(rule_id).en] for rule_id, n in counts.most_common()]


def write_feedback(directory: Path, heading: Heading, problems: list[Problem]) -> list[Path]:
    """The problem list as CSV (the Swedish Excel dialect: the heading's lines, an empty line, the table) and as XLSX
    (a sheet with the heading, the problems, a count per rule)."""
    csv_path, xlsx_path = directory / f"{heading.stem}.csv", directory / f"{heading.stem}.xlsx"
    write_csv(csv_path, HEADER, problem_rows(problems), delimiter=";", preamble=[*heading.rows(), []], mode=PRIVATE_FILE)
    write_xlsx(xlsx_path, {"rapport": (["", ""], heading.rows()), "problem": (HEADER, problem_rows(problems)),
                           "sammanfattning": (SUMMARY_HEADER, summary_rows(problems))}, mode=PRIVATE_FILE)
    return [csv_path, xlsx_path]


def feedback_files(heading: Heading, problems: list[Problem]) -> dict[str, bytes]:
    """The report's files by name, for a download in the browser."""
    with tempfile.TemporaryDirectory() as folder:
        return {path.name: path.read_bytes() for path in write_feedback(Path(folder), heading, problems)}


def format_problem(p: Problem) -> str:
    where = p.table + (f", rad/row {p.row}" if p.row is not None else "") + (f", kolumn/column {p.column}" if p.column else "")
    value = f" — värde/value: {p.value!r}" if p.value is not None else ""
    return f"  {SEVERITY_TAG[p.severity]} [{p.rule_id}] {where}{value}\n      {p.message_sv}\n      {p.message_en}"


def format_summary(problems: list[Problem]) -> str:
    return "\n".join(f"  {n:>6} × {rule_id} ({severity})" for rule_id, severity, n, _, _ in summary_rows(problems))
