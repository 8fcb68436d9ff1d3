"""Write tables that people open in Excel: safe against formula injection, numbers kept as numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipelines.private_files import PUBLIC_FILE, write_atomically

# A sheet: its header row and its rows.
Sheet = tuple[Sequence[str], Sequence[Sequence[object]]]

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file separates its fields and writes the decimals of its numbers (always UTF-8 with a BOM, so that
    Excel reads å, ä and ö)."""

    delimiter: str
    decimal: str


# Swedish Excel opens a semicolon file with decimal commas as columns of numbers; the international form is what
# other software (and Excel elsewhere) expects.
CSV_DIALECTS = {"excel-sv": CsvDialect(";", ","), "international": CsvDialect(",", ".")}
DEFAULT_CSV_DIALECT = "excel-sv"


def safe_text(value: object) -> object:
    """Text that a spreadsheet shows as text; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_cell(value: object, decimal: str) -> object:
    """Numbers written with ``decimal`` as their decimal separator (a number is never text to defuse, even when
    negative); a Decimal with exactly its own decimals; text defused."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal)
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return safe_text(value)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], delimiter: str = ",",
              preamble: Sequence[Sequence[object]] = (), decimal: str = ".", mode: int = PUBLIC_FILE) -> None:
    """``preamble``: lines before the header, such as what a report is about. ``decimal``: the decimal separator of
    the numbers in ``rows`` ("," for Swedish Excel). Written whole and swapped in (a kill leaves the old file or none)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerows([[safe_text(v) for v in line] for line in preamble])
    writer.writerow([safe_text(h) for h in header])
    writer.writerows([[_csv_cell(v, decimal) for v in row] for row in rows])
    write_atomically(path, text.getvalue().encode("utf-8-sig"), mode)


def _number_format(value: Decimal) -> str:
    """Excel's format showing exactly the Decimal's own decimals (with the reader's thousands separator)."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


def write_xlsx(path: Path, sheets: dict[str, Sheet], preambles: Mapping[str, Sequence[Sequence[object]]] | None = None,
               mode: int = PUBLIC_FILE) -> None:
    """Numbers as numbers, dates as dates, text always as text cells, defused against formulas; the same
    content gives the same bytes. A Decimal is shown with exactly its decimals (40.0 as 40,0), so a column of
    rates does not mix 40 and 40,9. ``preambles``: lines above a sheet's header, such as what its table is.
    Written whole and swapped in (a kill leaves the old file or none)."""
    import xlsxwriter

    content = io.BytesIO()
    with xlsxwriter.Workbook(content, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False}) as workbook:
        workbook.set_properties({"created": dt.datetime(2000, 1, 1)})  # same content, same bytes
        bold = workbook.add_format({"bold": True})
        iso_date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        number_formats: dict[str, object] = {}
        for name, (header, rows) in sheets.items():
            sheet = workbook.add_worksheet(name[:31])
            lines = (preambles or {}).get(name, ())
            for r, line in enumerate(lines):
                for c, value in enumerate(line):
                    sheet.write_string(r, c, str(safe_text(value)), bold if r == 0 else None)
            top = len(lines)
            sheet.write_row(top, 0, [safe_text(h) for h in header], bold)
            for r, row in enumerate(rows, start=top + 1):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, Decimal):
                        shown = _number_format(value)
                        if shown not in number_formats:
                            number_formats[shown] = workbook.add_format({"num_format": shown})
                        sheet.write_number(r, c, float(value), number_formats[shown])
                    elif isinstance(value, (int, float)) and not isinstance(value, bool):
                        sheet.write_number(r, c, value)
                    elif isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), iso_date)
                    else:
                        sheet.write_string(r, c, str(safe_text(value)))
            sheet.freeze_panes(top + 1, 0)
            widths = [max([len(str(h))] + [len(str(row[i])) for row in rows[:200] if i < len(row) and row[i] is not None])
                      for i, h in enumerate(header)]
            for i, width in enumerate(widths):
                sheet.set_column(i, i, min(max(width + 2, 8), 80))
    write_atomically(path, content.getvalue(), mode)
