"""Read a submitted return — a folder, a .zip or an .xlsx — into text frames.

Nothing is guessed silently: the encoding is UTF-8 (with or without BOM) or
else Windows-1252, decoded strictly, and a file mixing the two is an error; the
delimiter is whichever of ``;`` and ``,`` splits the header into more known
column names. Every cell stays text here, with the row number the site sees in
its own file, so that every later problem can point at it.

Nothing is trusted either: the files come out of their folder, zip or workbook
package through ``containers``, and a file that is really a web page, binary, or
larger than a return can be (rows, columns, a cell's length: ``IntakeLimits``)
is refused whole as soon as that is seen, before its cells are looked at.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from pipelines.returns.containers import (  # SubmissionError is defined there and raised here too
    SubmissionError,
    check_workbook_package,
    is_hidden,
    is_html,
    looks_like_utf16,
    read_file,
    read_folder,
    refuse_unreadable_content,
    refused,
    shown,
    zip_members,
)
from pipelines.settings import INTAKE_LIMITS, IntakeLimits
from schemas.problems import Problem
from schemas.tables import ROW, TABLES


@dataclass(frozen=True)
class SubmittedFile:
    name: str
    content: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Submission:
    source: str
    kind: str  # "folder", "zip" or "xlsx"
    files: tuple[SubmittedFile, ...]

    @cached_property
    def checksum(self) -> str:
        """Same files, same checksum, whatever folder or time they came from."""
        digest = hashlib.sha256(self.kind.encode())
        for f in sorted(self.files, key=lambda f: f.name):
            digest.update(f"\0{f.name}\0{f.sha256}".encode())
        return digest.hexdigest()


def load_submission(path: Path, limits: IntakeLimits = INTAKE_LIMITS) -> Submission:
    """The files of a return as sent. A folder's links and special files, archives inside it, binary files and
    anything over the size limit refuse it here, before anything of it is kept (``containers.read_folder``)."""
    if path.is_dir():
        files = tuple(SubmittedFile(name, content) for name, content in read_folder(path, limits))
        return Submission(str(path), "folder", files)
    if not path.is_file():
        raise SubmissionError(Problem(path.name, None, None, "file_missing"))
    content = read_file(path, path.name, limits, follow_link=True)  # the file the sender named, link or not
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return Submission(str(path), "xlsx", (SubmittedFile(path.name, content),))
    if suffix == ".zip":
        return Submission(str(path), "zip", (SubmittedFile(path.name, content),))
    if suffix == ".csv":
        raise SubmissionError(Problem(path.name, None, None, "single_csv"))
    raise SubmissionError(Problem(path.name, None, None, "file_unreadable", path.suffix))


def decode_text(content: bytes, table: str) -> str:
    if b"\x00" in content:  # never text we can read as one byte per character
        if looks_like_utf16(content):
            raise SubmissionError(Problem(table, None, None, "encoding", f"byte {content.index(0)}"))
        raise refused(table, "nul_bytes", f"byte {content.index(0)}")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    _refuse_mixed_encodings(content, table)
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SubmissionError(Problem(table, None, None, "encoding", f"byte {error.start}")) from error


def _refuse_mixed_encodings(content: bytes, table: str) -> None:
    """A file that is not UTF-8 throughout is Windows-1252 only if none of its lines is UTF-8: a line of non-ASCII
    text that happens to be valid UTF-8 is all but impossible in Windows-1252, so rows saved in both would otherwise
    be read as Windows-1252 and the UTF-8 ones silently garbled."""
    utf8_line = cp1252_line = None
    for number, line in enumerate(content.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
        except UnicodeDecodeError:
            cp1252_line = cp1252_line or number
        if utf8_line and cp1252_line:
            raise refused(table, "encoding_mixed", f"UTF-8: rad/row {utf8_line}", row=cp1252_line)


def _normalise_name(name: object) -> str:
    return str(name if name is not None else "").strip().lower()


def _choose_delimiter(header_line: str, table: str) -> str:
    known = set(TABLES[table].columns)
    scores = {sep: sum(_normalise_name(c) in known for c in header_line.split(sep)) for sep in ";,"}
    best = max(scores, key=lambda sep: scores[sep])
    if scores[best] == 0 or scores[";"] == scores[","]:
        raise SubmissionError(Problem(table, 1, None, "delimiter"))
    return best


@dataclass
class RawTable:
    """A table as text cells, columns named as the site wrote them (normalised)."""

    name: str
    frame: pl.DataFrame  # all String, plus ROW
    problems: list[Problem]


# what Python's str.strip() takes away: polars' own strip_chars() takes fewer (not U+001C to U+001F)
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _frame_from_rows(table: str, header: list[str], rows: Sequence[tuple[int, Sequence[str | None]]],
                     limits: IntakeLimits = INTAKE_LIMITS) -> RawTable:
    problems: list[Problem] = []
    names = [_normalise_name(h) for h in header]
    while names and names[-1] == "":  # Excel pads trailing empty columns
        names.pop()
    if len(names) > limits.max_columns:
        raise refused(table, "too_many_columns", str(len(names)), row=1)
    for name in names:
        if len(name) > limits.max_cell_chars:
            raise refused(table, "cell_too_long", str(len(name)), row=1)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(Problem(table, 1, name, "column_duplicate"))
        seen.add(name)
    if problems:
        return RawTable(table, pl.DataFrame(), problems)

    row_widths = pl.Series([len(cells) for _, cells in rows], dtype=pl.Int64)  # cells as read, empty ones too
    too_wide = (row_widths > limits.max_columns).arg_true()
    if len(too_wide):  # refused at the first row too wide, or at a cell too long before it: the rows before only are read
        _cells_of(rows[:too_wide[0]], names, limits, table)
        raise refused(table, "too_many_columns", str(row_widths[too_wide[0]]), row=rows[too_wide[0]][0])
    cells = _cells_of(rows, names, limits, table)
    width = cells.width
    numbers = pl.Series(ROW, [number for number, _ in rows], dtype=pl.Int64)
    blank = cells.select(pl.all_horizontal(pl.all().is_null())).to_series()
    ragged = cells.select(pl.any_horizontal(pl.nth(range(len(names), width)).is_not_null())).to_series() & ~blank \
        if width > len(names) else pl.repeat(False, len(rows), eager=True)
    for number, cell_count in zip(numbers.filter(ragged), row_widths.filter(ragged), strict=True):
        problems.append(Problem(table, number, None, "ragged_row", f"{cell_count} ≠ {len(names)}"))
    kept = ~blank & ~ragged
    frame = cells.select(pl.nth(range(len(names)))).filter(kept)
    frame.columns = names
    return RawTable(table, frame.with_columns(numbers.filter(kept)), problems)


def _cells_of(rows: Sequence[tuple[int, Sequence[str | None]]], names: list[str], limits: IntakeLimits, table: str) -> pl.DataFrame:
    """The rows' cells as columns ``c0``, ``c1``, … (as many as the widest row or the names; short rows padded with
    nulls), stripped as ``str.strip`` does, an empty cell null; refused at the first cell too long."""
    width = max(max((len(cells) for _, cells in rows), default=0), len(names), 1)
    padded = zip(*((*cells, *([None] * (width - len(cells)))) for _, cells in rows), strict=True) if rows else [[]] * width
    raw = pl.DataFrame([pl.Series(f"c{i}", column, dtype=pl.String) for i, column in enumerate(padded)])
    cells = raw.select(pl.all().str.strip_chars(_WHITESPACE).replace("", None))
    lengths = cells.select(pl.all().str.len_chars())
    too_long = lengths.select(pl.any_horizontal(pl.all() > limits.max_cell_chars)).to_series().arg_true()
    if len(too_long):
        row_lengths = lengths.row(too_long[0])
        i = next(i for i, length in enumerate(row_lengths) if length is not None and length > limits.max_cell_chars)
        raise refused(table, "cell_too_long", str(row_lengths[i]), row=rows[too_long[0]][0], column=names[i] if i < len(names) else None)
    return cells


def read_csv_table(content: bytes, table: str, limits: IntakeLimits = INTAKE_LIMITS) -> RawTable:
    if is_html(content):
        raise refused(table, "html_file")
    text = decode_text(content, table)
    if not text.strip():
        raise SubmissionError(Problem(table, None, None, "file_empty"))
    lines = text.splitlines()
    delimiter = _choose_delimiter(lines[0], table)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader)
        if len(header) > limits.max_columns:  # before anything else looks at its columns
            raise refused(table, "too_many_columns", str(len(header)), row=1)
        for cells in reader:
            if len(rows) == limits.max_rows:
                raise refused(table, "too_many_rows", f"> {limits.max_rows}", row=reader.line_num)
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own limit, far above ours
            raise refused(table, "cell_too_long", f"> {csv.field_size_limit()}", row=reader.line_num) from error
        raise SubmissionError(Problem(table, reader.line_num, None, "file_unreadable", str(error))) from error
    return _frame_from_rows(table, header, rows, limits)


def _excel_cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# The return template's own sheets (template.py): scanned for identity numbers like every other sheet, but expected
DICTIONARY_SHEET = "Dataordbok"
CODE_LIST_SHEET = "Kodlistor"


def is_template_sheet(other_file: str) -> bool:
    """Whether an other file of a return (``workbook.xlsx:sheet``) is one of the template's own sheets."""
    sheet = other_file.rpartition(":")[2] if ".xlsx:" in other_file else ""
    return _normalise_name(sheet) in {_normalise_name(DICTIONARY_SHEET), _normalise_name(CODE_LIST_SHEET)}


def _sheet_rows(sheet: Any, where: str, limits: IntakeLimits) -> Iterator[tuple[int, tuple[object, ...]]]:
    """A sheet's rows numbered as Excel shows them, refused as soon as it is larger than a return can be: first by the
    size its ``<dimension>`` declares, before a row is read, then by the rows it really holds."""
    if (sheet.max_row or 0) > limits.max_rows + 1:
        raise refused(where, "too_many_rows", str(sheet.max_row))
    if (sheet.max_column or 0) > limits.max_columns:
        raise refused(where, "too_many_columns", str(sheet.max_column), row=1)
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > limits.max_rows + 1:
            raise refused(where, "too_many_rows", f"> {limits.max_rows}", row=number)
        yield number, cells


def _other_sheet_text(sheet: Any, where: str, limits: IntakeLimits) -> bytes:
    """An other sheet as text, only to be checked for identity numbers; bounded like a table."""
    from openpyxl.utils import get_column_letter

    lines = []
    for number, cells in _sheet_rows(sheet, where, limits):
        if len(cells) > limits.max_columns:
            raise refused(where, "too_many_columns", str(len(cells)), row=number)
        texts = [_excel_cell_text(v) or "" for v in cells]
        for i, text in enumerate(texts):
            if len(text) > limits.max_cell_chars:
                raise refused(where, "cell_too_long", str(len(text)), row=number, column=get_column_letter(i + 1))
        lines.append("\t".join(texts))
    return "\n".join(lines).encode("utf-8")


def read_xlsx_tables(content: bytes, shown_as: str, limits: IntakeLimits = INTAKE_LIMITS) -> tuple[dict[str, RawTable | None], dict[str, bytes]]:
    """The table sheets, and the text of every other sheet (never loaded, but checked for identity numbers). The
    package is checked whole (``containers.check_workbook_package``) before openpyxl opens it."""
    from openpyxl import load_workbook

    if is_html(content):  # Excel's "web page" saved under a workbook's name
        raise refused(shown_as, "html_file")
    check_workbook_package(content, shown_as, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise SubmissionError(Problem(shown_as, None, None, "file_unreadable", type(error).__name__)) from error
    try:
        sheets = {_normalise_name(name): name for name in workbook.sheetnames}
        tables: dict[str, RawTable | None] = {}
        for table in TABLES:
            if table not in sheets:
                tables[table] = None
                continue
            rows = _sheet_rows(workbook[sheets[table]], table, limits)
            first = next(rows, None)
            if first is None:
                raise SubmissionError(Problem(table, None, None, "file_empty"))
            numbered = [(number, [_excel_cell_text(v) for v in cells]) for number, cells in rows]
            tables[table] = _frame_from_rows(table, [_excel_cell_text(h) or "" for h in first[1]], numbered, limits)
        other_sheets = {
            f"{shown_as}:{name}": _other_sheet_text(workbook[name], f"{shown_as}:{name}", limits)
            for normalised, name in sheets.items()
            if normalised not in TABLES and hasattr(workbook[name], "iter_rows")  # a chart sheet holds no cells
        }
    except SubmissionError:
        raise
    except Exception as error:  # a sheet damaged past what openpyxl checks when it opens the workbook
        raise SubmissionError(Problem(shown_as, None, None, "file_unreadable", type(error).__name__)) from error
    finally:
        workbook.close()
    return tables, other_sheets


@dataclass
class ReadReturn:
    tables: dict[str, RawTable | None]  # None: file or sheet missing
    other_files: dict[str, bytes]  # files that are no table: reported and scanned, never loaded
    hidden_files: frozenset[str] = frozenset()  # of the other files, those a zip program adds (__MACOSX/…): scanned, not reported


def read_return(submission: Submission, limits: IntakeLimits = INTAKE_LIMITS) -> ReadReturn:
    with cycle_collection_paused():
        return _read_return(submission, limits)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused: reading a table makes a list per row and a string per cell, none of them in a
    cycle, and the collector walking them all again and again took half the time of reading a large return."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_return(submission: Submission, limits: IntakeLimits) -> ReadReturn:
    if submission.kind == "xlsx":
        only = submission.files[0]
        return ReadReturn(*read_xlsx_tables(only.content, only.name, limits))
    hidden: dict[str, bytes] = {}
    if submission.kind == "zip":
        only = submission.files[0]
        if is_html(only.content):
            raise refused(only.name, "html_file")
        members = {}
        for member in zip_members(only.content, only.name, limits):
            if is_hidden(member.name):
                hidden[member.name] = member.content
            else:
                members[PurePosixPath(member.name).name] = member.content
    else:
        members = {f.name: f.content for f in submission.files}
    table_files = {
        stem: name for name in members
        if name.lower().endswith(".csv") and (stem := PurePosixPath(name).stem.strip().lower()) in TABLES
    }
    other = {name: content for name, content in members.items() if name not in table_files.values()}
    for name, content in other.items():  # an extra file is reported, but a hostile one refuses the return
        refuse_unreadable_content(shown(name), content)
        if is_html(content):
            raise refused(shown(name), "html_file")
    tables = {table: read_csv_table(members[table_files[table]], table, limits) if table in table_files else None for table in TABLES}
    return ReadReturn(tables, other | hidden, frozenset(hidden))
