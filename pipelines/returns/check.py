"""Check one submitted return against format v1 and say everything that is wrong with it.

This is the one pass over a return: the typed tables it yields are archived with an accepted return
and loaded by every run from there (``archive.read_typed_tables``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import pandera.errors
import polars as pl

from pipelines.returns.containers import shown
from pipelines.returns.identity_numbers import FILE_NAMES, contains_identity_number, find_identity_numbers
from pipelines.returns.parse import conform_columns, parse_types
from pipelines.returns.reader import RawTable, Submission, SubmissionError, is_template_sheet, read_return
from pipelines.settings import INTAKE_LIMITS, IntakeLimits
from schemas.cross_table import check_across_tables
from schemas.problems import Problem
from schemas.rules import Severity
from schemas.tables import ROW, TABLES, Table, pandera_schema


@dataclass
class IntakeResult:
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # typed, when every table could be read
    checked_for_identity_numbers: bool = True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def accepted(self) -> bool:
        return not self.errors and len(self.tables) == len(TABLES)

    @property
    def holds_identity_number(self) -> bool:
        return any(p.rule_id in ("identity_number", "identity_number_in_name") for p in self.problems)

    @property
    def site_and_year(self) -> tuple[str | None, int | None]:
        site = self.tables.get("verksamhet")
        if site is None or site.height == 0:
            return None, None
        first = site.row(0, named=True)
        return first["site_id"], first["reporting_year"]


def _pandera_problems(table: Table, typed_frames: list[pl.DataFrame], unparsed: list[set[tuple[int, str]]]) -> list[list[Problem]]:
    """Each frame's problems by the table's Pandera schema, checked in one pass over all of them: Pandera's cost is
    mostly a fixed one per check, so a batch of returns costs little more than one."""
    problems: list[list[Problem]] = [[] for _ in typed_frames]
    if not typed_frames:
        return problems
    together = pl.concat(typed_frames, how="vertical")
    try:
        pandera_schema(table.name).validate(together, lazy=True)
        return problems
    except pandera.errors.SchemaErrors as failure:
        cases = failure.failure_cases
    if len(typed_frames) > 1 and cases.get_column("index").null_count():
        # a failure of a whole table, not of rows (none is known that typed frames can have): whose it is, only
        # checking each frame alone tells
        return [_pandera_problems(table, [frame], [cells])[0] for frame, cells in zip(typed_frames, unparsed, strict=True)]
    starts = list(accumulate((frame.height for frame in typed_frames[:-1]), initial=0))
    rows = together.get_column(ROW)
    for case in cases.iter_rows(named=True):
        index = case["index"]
        frame = bisect_right(starts, index) - 1 if index is not None else 0
        row = rows[index] if index is not None else None
        check = case["check"]
        if check == "not_nullable":
            if (row, case["column"]) not in unparsed[frame]:
                problems[frame].append(Problem(table.name, row, case["column"], "required"))
            continue
        rule_id, _, column = check.partition("@")
        column = column or case["column"]
        value = together.get_column(column)[index] if index is not None else None
        problems[frame].append(Problem(table.name, row, column, rule_id, None if value is None else str(value)))
    return problems


def _typed_table(table: Table, raw: RawTable | None) -> tuple[pl.DataFrame | None, list[Problem], set[tuple[int, str]]]:
    if raw is None:
        if table.optional_file:
            return table.empty_frame(), [], set()
        return None, [Problem(table.name, None, None, "file_missing")], set()
    if raw.frame.width == 0:
        return None, raw.problems, set()
    conformed, column_problems = conform_columns(table, raw.frame)
    if conformed is None:
        return None, raw.problems + column_problems, set()
    typed, type_problems, unparsed = parse_types(table, conformed)
    return typed, raw.problems + column_problems + type_problems, unparsed


def check_return(submission: Submission, limits: IntakeLimits = INTAKE_LIMITS) -> IntakeResult:
    """Everything wrong with a return (``check_returns`` of one)."""
    return check_returns([submission], limits)[0]


def check_returns(submissions: Sequence[Submission], limits: IntakeLimits = INTAKE_LIMITS) -> list[IntakeResult]:
    """Everything wrong with each return, each judged on its own; their tables' value rules are checked together.
    A hostile file (``schemas.rules.GUARDS``) stops the reading at once: the return is refused for it alone, and a
    .zip or a workbook refused so is not checked for identity numbers (it was not read whole), so nothing of it is
    kept. An identity number in a file's name refuses it as one in a cell does."""
    results, unparsed = [], []
    for submission in submissions:
        result, cells_not_parsed = _read_and_type(submission, limits)
        results.append(result)
        unparsed.append(cells_not_parsed)
    for name, table in TABLES.items():
        having = [i for i, result in enumerate(results) if name in result.tables]
        found = _pandera_problems(table, [results[i].tables[name] for i in having], [unparsed[i].get(name, set()) for i in having])
        for i, problems in zip(having, found, strict=True):
            results[i].problems += problems
    for result in results:
        if len(result.tables) == len(TABLES):
            result.problems += check_across_tables(result.tables)
        result.problems.sort(key=lambda p: (list(TABLES).index(p.table) if p.table in TABLES else -1, p.row or 0, p.column or "", p.rule_id))
    return results


def _read_and_type(submission: Submission, limits: IntakeLimits) -> tuple[IntakeResult, dict[str, set[tuple[int, str]]]]:
    """The return read and typed, with the problems found so far, and the cells of each table that did not parse.
    A return refused here (a hostile file, an identity number) has no tables, so nothing more is checked."""
    if any(contains_identity_number(name) for name in (submission.source, *(f.name for f in submission.files))):
        return IntakeResult([Problem(FILE_NAMES, None, None, "identity_number_in_name")]), {}
    try:
        read = read_return(submission, limits)
    except SubmissionError as error:
        # A file we cannot parse may still hold an identity number in plain bytes; a
        # damaged zip or workbook is compressed, so it cannot be checked at all.
        plain_text = submission.kind == "folder"
        if plain_text and any(contains_identity_number(f.content.replace(b"\x00", b"").decode("latin-1")) for f in submission.files):
            return IntakeResult([Problem(error.problem.table, None, None, "identity_number")]), {}
        return IntakeResult([error.problem], checked_for_identity_numbers=plain_text), {}
    identity_numbers = find_identity_numbers(read)
    if identity_numbers:
        return IntakeResult(identity_numbers), {}

    result = IntakeResult([Problem(shown(name), None, None, "unknown_file") for name in read.other_files
                           if not is_template_sheet(name) and name not in read.hidden_files])
    unparsed = {}
    for name, table in TABLES.items():
        typed, problems, unparsed[name] = _typed_table(table, read.tables[name])
        result.problems += problems
        if typed is not None:
            result.tables[name] = typed
    return result, unparsed
