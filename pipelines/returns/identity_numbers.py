"""Find anything that looks like a Swedish personnummer or samordningsnummer.

Polars narrows the cells down with a cheap digit pattern; the maintained
``personnummer`` package then decides (date or date + 60, Luhn check digit).
The value found is never returned, only where it stands.
"""

from __future__ import annotations

import re

import polars as pl
from personnummer import personnummer

from pipelines.returns.reader import ReadReturn
from schemas.problems import Problem
from schemas.tables import ROW

# 10 or 12 digits, optionally with - or + before the last four; no digit either side.
_CANDIDATE = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})[-+]?[0-9]{4}(?![0-9])")
_CANDIDATE_CELL = r"(?:^|[^0-9])(?:[0-9]{8}|[0-9]{6})[-+]?[0-9]{4}(?:[^0-9]|$)"


FILE_NAMES = "filnamn / file names"  # where a problem with a name stands: the name itself is never repeated


def contains_identity_number(text: str) -> bool:
    return any(personnummer.valid(match.group()) for match in _CANDIDATE.finditer(text))


def masked(text: str) -> str:
    """``text`` (a name the sender chose) with every identity number in it replaced, so that it may be printed."""
    return _CANDIDATE.sub(lambda match: "<personnummer>" if personnummer.valid(match.group()) else match.group(), text)


def find_identity_numbers(read: ReadReturn) -> list[Problem]:
    problems = [Problem(FILE_NAMES, None, None, "identity_number_in_name") for name in read.other_files if contains_identity_number(name)][:1]
    for name, raw in read.tables.items():
        if raw is None:
            continue
        problems += [Problem(name, 1, None, "identity_number") for column in raw.frame.columns if contains_identity_number(column)]
        cells = raw.frame.drop(ROW, strict=False)
        if cells.width == 0 or not cells.select(pl.any_horizontal(pl.all().str.contains(_CANDIDATE_CELL)).any()).item():
            continue  # the common case, found in one pass over the table
        for series in cells.iter_columns():  # a column at a time: filtering the whole frame per column is quadratic
            candidate = series.str.contains(_CANDIDATE_CELL).fill_null(False)
            if candidate.any():
                rows = raw.frame.get_column(ROW).filter(candidate)
                for row, cell in zip(rows, series.filter(candidate), strict=True):
                    if contains_identity_number(cell):
                        problems.append(Problem(name, row, series.name, "identity_number"))
    for file_name, content in read.other_files.items():
        if contains_identity_number(content.replace(b"\x00", b"").decode("latin-1")):  # NULs: UTF-16 text
            problems.append(Problem(file_name, None, None, "identity_number"))
    return problems
