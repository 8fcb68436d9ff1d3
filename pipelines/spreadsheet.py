"""Write tables that people open in Excel: safe against formula injection, numbers kept as numbers."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

# A sheet: its header row and its rows.
Sheet = tuple[Sequence[str], Sequence[Sequence[object]]]

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text that a spreadsheet shows as text; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], delimiter: str = ",",
              preamble: Sequence[Sequence[object]] = ()) -> None:
    """``preamble``: lines before the header, such as what a report is about."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerows([[safe_text(v) for v in line] for line in preamble])
        writer.writerow([safe_text(h) for h in header])
        writer.writerows([["" if v is None else safe_text(v) for v in row] for row in rows])


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> None:
    """Numbers as numbers, dates as dates, text always as text cells, defused against formulas; the same
    content gives the same bytes."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False}) as workbook:
        workbook.set_properties({"created": dt.datetime(2000, 1, 1)})  # same content, same bytes
        bold = workbook.add_format({"bold": True})
        iso_date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for name, (header, rows) in sheets.items():
            sheet = workbook.add_worksheet(name[:31])
            sheet.write_row(0, 0, [safe_text(h) for h in header], bold)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        sheet.write_number(r, c, value)
                    elif isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), iso_date)
                    else:
                        sheet.write_string(r, c, str(safe_text(value)))
            sheet.freeze_panes(1, 0)
            widths = [max([len(str(h))] + [len(str(row[i])) for row in rows[:200] if row[i] is not None]) for i, h in enumerate(header)]
            for i, width in enumerate(widths):
                sheet.set_column(i, i, min(max(width + 2, 8), 80))
