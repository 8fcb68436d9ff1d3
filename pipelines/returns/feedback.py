"""The feedback a site gets for a return: on screen and as files to open beside its own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pipelines.spreadsheet import write_csv, write_xlsx
from schemas.problems import Problem
from schemas.rules import Severity, rule

HEADER = ["allvarlighet / severity", "tabell / table", "rad / row", "kolumn / column", "värde / value",
          "regel / rule", "meddelande", "message"]
SUMMARY_HEADER = ["regel / rule", "allvarlighet / severity", "antal / count", "meddelande", "message"]
SEVERITY_TAG = {Severity.ERROR: "FEL/ERROR", Severity.WARNING: "VARNING/WARNING"}


def problem_rows(problems: list[Problem]) -> list[list[object]]:
    return [[p.severity, p.table, p.row, p.column, p.value, p.rule_id, p.message_sv, p.message_en] for p in problems]


def summary_rows(problems: list[Problem]) -> list[list[object]]:
    counts = Counter(p.rule_id for p in problems)
    return [[rule_id, rule(rule_id).severity, n, rule(rule_id).sv, rule(rule_id).en] for rule_id, n in counts.most_common()]


def write_feedback(directory: Path, stem: str, problems: list[Problem]) -> list[Path]:
    """The problem list as CSV (the Swedish Excel dialect) and XLSX (with a count per rule)."""
    csv_path, xlsx_path = directory / f"{stem}.csv", directory / f"{stem}.xlsx"
    write_csv(csv_path, HEADER, problem_rows(problems), delimiter=";")  # opens as columns in Swedish Excel
    write_xlsx(xlsx_path, {"problem": (HEADER, problem_rows(problems)), "sammanfattning": (SUMMARY_HEADER, summary_rows(problems))})
    return [csv_path, xlsx_path]


def format_problem(p: Problem) -> str:
    where = p.table + (f", rad/row {p.row}" if p.row is not None else "") + (f", kolumn/column {p.column}" if p.column else "")
    value = f" — värde/value: {p.value!r}" if p.value is not None else ""
    return f"  {SEVERITY_TAG[p.severity]} [{p.rule_id}] {where}{value}\n      {p.message_sv}\n      {p.message_en}"


def format_summary(problems: list[Problem]) -> str:
    return "\n".join(f"  {n:>6} × {rule_id} ({severity})" for rule_id, severity, n, _, _ in summary_rows(problems))
