"""Read a submitted return — a folder, a .zip or an .xlsx — into text frames.

Nothing is guessed silently: the encoding is UTF-8 (with or without BOM) or
else Windows-1252, decoded strictly; the delimiter is whichever of ``;`` and
``,`` splits the header into more known column names. Every cell stays text
here, with the row number the site sees in its own file, so that every later
problem can point at it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polars as pl

from pipelines.settings import MAX_FILE_BYTES
from schemas.problems import Problem
from schemas.tables import ROW, TABLES


class SubmissionError(Exception):
    """The submission cannot be read at all; ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


@dataclass(frozen=True)
class SubmittedFile:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Submission:
    source: str
    kind: str  # "folder", "zip" or "xlsx"
    files: tuple[SubmittedFile, ...]

    @property
    def checksum(self) -> str:
        """Same files, same checksum, whatever folder or time they came from."""
        digest = hashlib.sha256(self.kind.encode())
        for f in sorted(self.files, key=lambda f: f.name):
            digest.update(f"\0{f.name}\0{f.sha256}".encode())
        return digest.hexdigest()


def _read_bounded(path: Path, shown_as: str) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionError(Problem(shown_as, None, None, "file_too_large", f"{path.stat().st_size} bytes"))
    return path.read_bytes()


def load_submission(path: Path) -> Submission:
    if path.is_dir():
        files = tuple(
            SubmittedFile(p.name, _read_bounded(p, p.name))
            for p in sorted(path.iterdir())
            if p.is_file() and not p.name.startswith(".")
        )
        return Submission(str(path), "folder", files)
    if not path.is_file():
        raise SubmissionError(Problem(path.name, None, None, "file_missing"))
    content = _read_bounded(path, path.name)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return Submission(str(path), "xlsx", (SubmittedFile(path.name, content),))
    if suffix == ".zip":
        return Submission(str(path), "zip", (SubmittedFile(path.name, content),))
    if suffix == ".csv":
        raise SubmissionError(Problem(path.name, None, None, "single_csv"))
    raise SubmissionError(Problem(path.name, None, None, "file_unreadable", path.suffix))


def _zip_members(content: bytes, shown_as: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = {}
            total = 0
            for info in archive.infolist():
                if info.is_dir() or PurePosixPath(info.filename).name.startswith((".", "__MACOSX")):
                    continue
                total += info.file_size
                if total > MAX_FILE_BYTES:
                    raise SubmissionError(Problem(shown_as, None, None, "file_too_large"))
                members[PurePosixPath(info.filename).name] = archive.read(info)
            return members
    except SubmissionError:
        raise
    except Exception as error:  # a damaged archive fails in many ways (BadZipFile, zlib, seek errors)
        raise SubmissionError(Problem(shown_as, None, None, "file_unreadable", str(error))) from error


def decode_text(content: bytes, table: str) -> str:
    if b"\x00" in content:  # UTF-16 or a binary file: never text we can read as one byte per character
        raise SubmissionError(Problem(table, None, None, "encoding", f"byte {content.index(0)}"))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SubmissionError(Problem(table, None, None, "encoding", f"byte {error.start}")) from error


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


def _frame_from_rows(table: str, header: list[str], rows: Sequence[tuple[int, Sequence[str | None]]]) -> RawTable:
    problems: list[Problem] = []
    names = [_normalise_name(h) for h in header]
    while names and names[-1] == "":  # Excel pads trailing empty columns
        names.pop()
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(Problem(table, 1, name, "column_duplicate"))
        seen.add(name)
    if problems:
        return RawTable(table, pl.DataFrame(), problems)

    kept_rows: list[int] = []
    columns: list[list[str | None]] = [[] for _ in names]
    for number, raw_cells in rows:
        cells = [None if c is None or str(c).strip() == "" else str(c).strip() for c in raw_cells]
        if all(c is None for c in cells):
            continue
        if len(cells) > len(names) and any(c is not None for c in cells[len(names):]):
            problems.append(Problem(table, number, None, "ragged_row", f"{len(cells)} ≠ {len(names)}"))
            continue
        kept_rows.append(number)
        for i, cell in enumerate((cells + [None] * len(names))[: len(names)]):
            columns[i].append(cell)
    data = {name: pl.Series(name, values, dtype=pl.String) for name, values in zip(names, columns)}
    data[ROW] = pl.Series(ROW, kept_rows, dtype=pl.Int64)
    return RawTable(table, pl.DataFrame(data), problems)


def read_csv_table(content: bytes, table: str) -> RawTable:
    text = decode_text(content, table)
    if not text.strip():
        raise SubmissionError(Problem(table, None, None, "file_empty"))
    lines = text.splitlines()
    delimiter = _choose_delimiter(lines[0], table)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        rows = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise SubmissionError(Problem(table, reader.line_num, None, "file_unreadable", str(error))) from error
    return _frame_from_rows(table, header, rows)


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


def read_xlsx_tables(content: bytes, shown_as: str) -> tuple[dict[str, RawTable | None], dict[str, bytes]]:
    """The table sheets, and the text of every other sheet (never loaded, but checked for identity numbers)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise SubmissionError(Problem(shown_as, None, None, "file_unreadable", type(error).__name__)) from error
    sheets = {_normalise_name(name): name for name in workbook.sheetnames}
    tables: dict[str, RawTable | None] = {}
    for table in TABLES:
        if table not in sheets:
            tables[table] = None
            continue
        rows = workbook[sheets[table]].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SubmissionError(Problem(table, None, None, "file_empty"))
        numbered = [(number, [_excel_cell_text(v) for v in cells]) for number, cells in enumerate(rows, start=2)]
        tables[table] = _frame_from_rows(table, [_excel_cell_text(h) or "" for h in header], numbered)
    other_sheets = {
        f"{shown_as}:{name}": "\n".join(
            "\t".join(_excel_cell_text(v) or "" for v in row) for row in workbook[name].iter_rows(values_only=True)
        ).encode("utf-8")
        for normalised, name in sheets.items() if normalised not in TABLES
    }
    workbook.close()
    return tables, other_sheets


@dataclass
class ReadReturn:
    tables: dict[str, RawTable | None]  # None: file or sheet missing
    other_files: dict[str, bytes]  # files that are no table: reported and scanned, never loaded


def read_return(submission: Submission) -> ReadReturn:
    if submission.kind == "xlsx":
        only = submission.files[0]
        return ReadReturn(*read_xlsx_tables(only.content, only.name))
    if submission.kind == "zip":
        only = submission.files[0]
        members = _zip_members(only.content, only.name)
    else:
        members = {f.name: f.content for f in submission.files}
    table_files = {
        stem: name for name in members
        if name.lower().endswith(".csv") and (stem := PurePosixPath(name).stem.strip().lower()) in TABLES
    }
    tables = {table: read_csv_table(members[table_files[table]], table) if table in table_files else None for table in TABLES}
    other = {name: content for name, content in members.items() if name not in table_files.values()}
    return ReadReturn(tables, other)
