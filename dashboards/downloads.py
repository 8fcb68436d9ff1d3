"""A table on screen as a file to download: XLSX, or CSV in the Swedish Excel dialect (``;`` and decimal comma).

The cells are the figures on screen: a number shown as ``1 234,5`` or ``40,9 %`` becomes the number 1234.5 or
40.9 (the column's heading says the unit); a withheld ``–`` and every other text stay as they are.

``recorded`` makes any download one the audit log records when it is taken: who took which file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from pipelines import audit
from pipelines.access.roles import Reader
from pipelines.settings import Settings
from pipelines.spreadsheet import write_csv, write_xlsx

_SHOWN_NUMBER = re.compile(r"-?[0-9]{1,3}(?:\u202f[0-9]{3})*(?:,[0-9]+)?(?: %| kr)?")


def cell_value(shown: object) -> object:
    """The figure behind a cell as shown: a number where the screen shows one, else the cell itself."""
    if isinstance(shown, str) and _SHOWN_NUMBER.fullmatch(shown):
        number = shown.removesuffix(" %").removesuffix(" kr").replace("\u202f", "").replace(",", ".")
        return float(number) if "." in number else int(number)
    return shown


def _rows(frame: pl.DataFrame) -> list[list[object]]:
    return [[cell_value(cell) for cell in row] for row in frame.iter_rows()]


def xlsx_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsx"
        write_xlsx(path, {sheet: (frame.columns, _rows(frame))})
        return path.read_bytes()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Swedish Excel's dialect: semicolons, decimal commas, UTF-8 with a byte-order mark."""
    swedish = [[str(v).replace(".", ",") if isinstance(v, float) else v for v in row] for row in _rows(frame)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        write_csv(path, frame.columns, swedish, delimiter=";")
        return path.read_bytes()


def recorded(make: Callable[[], bytes], settings: Settings, reader: Reader, file_name: str, *, site_id: str | None = None,
             year: int | None = None) -> Callable[[], bytes]:
    """``make`` as the data of a download button (which calls it when the button is clicked) that records in the audit
    log who took the file ``file_name`` (and of which site and year, when it is one site's)."""
    def download() -> bytes:
        content = make()
        audit.record_by(settings, reader, audit.Action.EXPORT, site_id=site_id, year=year, subject=file_name,
                        detail={"format": "download"})
        return content

    return download
