"""The empty return of format v1 that a site fills in: an XLSX workbook or a zip of CSV files.

Everything in a template is made from the tables (``schemas.tables``: their columns and what each
holds), the words of their rules (``schemas.rules``) and the code lists (``seeds.reference_data``),
so a template always asks for exactly what intake accepts. The workbook has one sheet per table
(header row only) with the code lists as drop-downs, a data dictionary (``Dataordbok``) and the
hidden sheet the drop-downs read.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pipelines.returns.reader import CODE_LIST_SHEET, DICTIONARY_SHEET
from schemas.cross_table import ICD10_BLOCKS
from schemas.rules import RULES, code_rule
from schemas.tables import MULTI_SEPARATOR, TABLES, Field, FieldKind, Table
from seeds.reference_data import Code, code_lists

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

TemplateFormat = Literal["xlsx", "csv"]
# Swedish Excel opens and saves CSV with ';' (its list separator); the BOM makes it read UTF-8.
CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"


class Template(NamedTuple):
    content: bytes
    file_name: str
    mime_type: str


_FILE_NAMES: dict[TemplateFormat, str] = {"xlsx": "ips-arsrapport-v1-mall.xlsx", "csv": "ips-arsrapport-v1-mall-csv.zip"}
_MIME_TYPES: dict[TemplateFormat, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
}
_FIXED_TIME = dt.datetime(2000, 1, 1)  # same code lists, same bytes

# Excel's number validation for the rules that bound a number: [low, high], None = open. The schema's
# checks stay the rule; tests/test_template.py holds these to them.
_YEARS = (2000, 2100)
EXCEL_BOUNDS: dict[str, tuple[float, float | None]] = {
    "reporting_year_range": _YEARS,
    "non_negative": (0, None),
    "hours_range": (0, 60),
    "fidelity_item_range": (1, 5),
}
_WHOLE_RANGE = (-(2**31), 2**31 - 1)  # "any number" in Excel's validation
_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(_YEARS[1], 12, 31))  # Excel's first date; the last reporting year's end

_KIND_WORDS: dict[FieldKind, tuple[str, str]] = {
    FieldKind.TEXT: ("Text", "Text"),
    FieldKind.CODE: ("En kod ur kodlistan", "One code of the code list"),
    FieldKind.CODES: (f"En eller flera koder, åtskilda med {MULTI_SEPARATOR}", f"One or more codes, separated by {MULTI_SEPARATOR}"),
    FieldKind.INTEGER: ("Heltal", "Whole number"),
    FieldKind.DECIMAL: ("Tal (decimalkomma eller -punkt)", "Number (decimal comma or point)"),
    FieldKind.DATE: ("Datum ÅÅÅÅ-MM-DD", "Date YYYY-MM-DD"),
}

# The rules of schemas.cross_table, by the column they are reported against ("*": every table).
_ACROSS_TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "site_id"): ("same_site_year",),
    ("*", "reporting_year"): ("same_site_year",),
    ("deltagare", "participant_id"): ("participant_id_unique", "participant_without_diagnosis"),
    ("diagnoser", "participant_id"): ("participant_unknown",),
    ("aktiviteter", "participant_id"): ("participant_unknown",),
    ("diagnoser", "icd10_code"): ("icd10_group",),
    ("aktiviteter", "start_date"): ("activity_before_intake",),
}


def template_bytes(fmt: TemplateFormat) -> Template:
    """The template's bytes, file name and MIME type (for a download button)."""
    content = _workbook() if fmt == "xlsx" else _csv_zip()
    return Template(content, _FILE_NAMES[fmt], _MIME_TYPES[fmt])


def write_template(out: Path, fmt: TemplateFormat = "xlsx") -> Path:
    """Write the template to ``out`` (a file, or a folder to put it in under its own name); returns its path."""
    template = template_bytes(fmt)
    path = out / template.file_name if out.is_dir() else out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template.content)
    return path


def field_codes(f: Field) -> tuple[Code, ...]:
    return code_lists()[f.code_list] if f.code_list else ()


def field_rules(table: Table, f: Field) -> list[str]:
    """The ids of the rules a column must keep, beyond being present and one of its codes."""
    own = [str(c.error) for c in f.checks] + [
        str(c.error).partition("@")[0] for c in table.row_checks if str(c.error).endswith(f"@{f.name}")
    ]
    across = _ACROSS_TABLES.get(("*", f.name), ()) + _ACROSS_TABLES.get((table.name, f.name), ())
    parsed = [f"type_{f.kind}"] if f.kind.parsed else []
    return [r for r in parsed + own + list(across) if not r.startswith("code:")]


def _rule_words(rule_id: str, language: str) -> str:
    words = getattr(RULES[rule_id], language)
    if rule_id == "icd10_group":
        blocks = "; ".join(f"{group} " + ", ".join(f"F{lo}–F{hi}" if lo != hi else f"F{lo}" for lo, hi in ranges)
                           for group, ranges in ICD10_BLOCKS.items())
        words += f" ({blocks})"
    return str(words)


def requirement(table: Table, f: Field) -> tuple[str, str]:
    """Must the column be filled in: yes, no, or the rule that says when; Swedish, English."""
    if f.required:
        return "ja", "yes"
    condition = next((RULES[r] for r in field_rules(table, f) if r.endswith("_required")), None)
    return ("nej", "no") if condition is None else (f"villkorat: {condition.sv}", f"conditional: {condition.en}")


def dictionary_rows() -> list[list[str]]:
    """The data dictionary: one row per column of every table, in Swedish and then in English."""
    rows = []
    for table in TABLES.values():
        for f in table.fields:
            rules, codes = field_rules(table, f), field_codes(f)
            row = [table.name, f.name]
            for i, language in enumerate(("sv", "en")):
                row += [requirement(table, f)[i], _KIND_WORDS[f.kind][i], f.description[i],
                        "\n".join(_rule_words(r, language) for r in rules),
                        "\n".join(f"{c.code} – {getattr(c, f'label_{language}')}" for c in codes)]
            rows.append(row)
    return rows


DICTIONARY_HEADER = ["Tabell / table", "Kolumn / column", "Obligatorisk", "Typ", "Beskrivning", "Regler (meddelandet vid fel)", "Koder",
                     "Required", "Type", "Description", "Rules (the message when broken)", "Codes"]
_DICTIONARY_WIDTHS = [14, 28, 16, 22, 40, 50, 36, 16, 22, 40, 50, 36]
_NOTES = [
    ("Mall för årsrapportering av IPS, format v1. Fyll i ett blad per tabell: " + ", ".join(TABLES) + ". "
     "Ändra inte rubrikraden. Tom cell = saknas.",
     "Template of the annual IPS return, format v1. Fill in one sheet per table. Do not change the header row. Empty cell = missing."),
    (f"Datum skrivs ÅÅÅÅ-MM-DD. Välj koder i listorna; flera koder i en cell skiljs med {MULTI_SEPARATOR}.",
     f"Dates are written YYYY-MM-DD. Choose codes from the lists; several codes in one cell are separated by {MULTI_SEPARATOR}."),
    ("Skriv aldrig personnummer eller samordningsnummer: en rapport med ett sådant avvisas i sin helhet. Använd verksamhetens löpnummer.",
     "Never write a personal identity or coordination number: a return holding one is refused whole. Use the site's serial number."),
]


def _fit(text: str, limit: int = 255) -> str:
    """Excel's limit on a validation's messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _input_message(table: Table, f: Field) -> str:
    codes = field_codes(f)
    how = f" T.ex. {MULTI_SEPARATOR.join(c.code for c in codes[:2])}. Koderna står i bladet {DICTIONARY_SHEET}." if f.kind == FieldKind.CODES else ""
    needed = requirement(table, f)[0]
    required = {"ja": "Obligatorisk.", "nej": "Frivillig."}.get(needed, needed[:1].upper() + needed[1:])
    return _fit(f"{required} {_KIND_WORDS[f.kind][0]}.{how} {f.description[0]}")


def _validation(table: Table, f: Field, code_range: str | None) -> dict[str, Any]:
    """Excel's data validation for one column: a drop-down, a number or date range, or only an input message."""
    base: dict[str, Any] = {"input_title": f.name[:32], "input_message": _input_message(table, f), "error_title": "Ogiltigt värde"}
    rules = field_rules(table, f)
    if f.kind == FieldKind.CODE:
        return base | {"validate": "list", "source": code_range, "error_message": _fit(code_rule(str(f.code_list)).sv)}
    if f.kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
        bounding = next((r for r in rules if r in EXCEL_BOUNDS), f"type_{f.kind}")
        low, high = EXCEL_BOUNDS.get(bounding, _WHOLE_RANGE)
        limits = {"criteria": ">=", "value": low} if high is None else {"criteria": "between", "minimum": low, "maximum": high}
        validate = "integer" if f.kind == FieldKind.INTEGER else "decimal"
        return base | {"validate": validate, **limits, "error_message": _fit(RULES[bounding].sv)}
    if f.kind == FieldKind.DATE:
        first, last = _DATE_RANGE
        return base | {"validate": "date", "criteria": "between", "minimum": first, "maximum": last,
                       "error_message": _fit(RULES["type_date"].sv)}
    return base | {"validate": "any"}  # text and several codes: any text, with the input message


def _column_width(f: Field) -> int:
    widths = {FieldKind.TEXT: 16, FieldKind.CODES: 30, FieldKind.INTEGER: 6, FieldKind.DECIMAL: 8, FieldKind.DATE: 11}
    content = widths.get(f.kind) or max(len(c.code) for c in field_codes(f))
    return max(len(f.name), content) + 3


def _workbook() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False}) as workbook:
        workbook.set_properties({"created": _FIXED_TIME, "title": "Årsrapportering IPS, format v1"})
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
        text = workbook.add_format({"num_format": "@"})  # Excel keeps 0180 and 001 as typed
        cell_formats = {FieldKind.TEXT: text, FieldKind.CODE: text, FieldKind.CODES: text,
                        FieldKind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"})}
        table_sheets = {name: workbook.add_worksheet(name) for name in TABLES}
        _write_dictionary(workbook, workbook.add_worksheet(DICTIONARY_SHEET), header)
        code_ranges = _write_code_lists(workbook.add_worksheet(CODE_LIST_SHEET), header)
        for name, table in TABLES.items():
            sheet = table_sheets[name]
            sheet.write_row(0, 0, table.columns, header)
            sheet.freeze_panes(1, 0)
            for col, f in enumerate(table.fields):
                sheet.set_column(col, col, _column_width(f), cell_formats.get(f.kind))
                sheet.data_validation(1, col, 1_048_575, col, _validation(table, f, code_ranges.get(f.code_list or "")))
    return buffer.getvalue()


def _write_code_lists(sheet: Worksheet, header: Format) -> dict[str, str]:
    """The code lists the drop-downs read, one row per code; returns each list's range of codes."""
    from xlsxwriter.utility import quote_sheetname, xl_range_abs

    sheet.write_row(0, 0, ["kodlista / code_list", "kod / code", "benämning / label_sv", "label_en"], header)
    ranges: dict[str, str] = {}
    row = 1
    for name in dict.fromkeys(f.code_list for t in TABLES.values() for f in t.fields if f.code_list):
        codes = code_lists()[name]
        for offset, c in enumerate(codes):
            sheet.write_row(row + offset, 0, [name, c.code, c.label_sv, c.label_en])
        ranges[name] = f"={quote_sheetname(CODE_LIST_SHEET)}!{xl_range_abs(row, 1, row + len(codes) - 1, 1)}"
        row += len(codes)
    sheet.set_column(0, 3, 28)
    sheet.protect()
    sheet.hide()
    return ranges


def _write_dictionary(workbook: Workbook, sheet: Worksheet, header: Format) -> None:
    title = workbook.add_format({"bold": True})
    for r, (sv, en) in enumerate(_NOTES):
        sheet.write(r, 0, sv, title if r == 0 else None)
        sheet.write(r, DICTIONARY_HEADER.index("Required"), en, title if r == 0 else None)  # English beside
    top = len(_NOTES) + 1
    rows = dictionary_rows()
    sheet.write_row(top, 0, DICTIONARY_HEADER, header)
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    for r, values in enumerate(rows, start=top + 1):
        sheet.write_row(r, 0, values, wrapped)
    for col, width in enumerate(_DICTIONARY_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(top + 1, 2)
    sheet.autofilter(top, 0, top + len(rows), len(DICTIONARY_HEADER) - 1)
    sheet.set_tab_color("#2F5597")


def _csv_zip() -> bytes:
    """The five CSV files, header only, as Swedish Excel writes "CSV UTF-8": BOM and semicolons."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES.values():
            member = zipfile.ZipInfo(f"{table.name}.csv", date_time=_FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, (CSV_DELIMITER.join(table.columns) + "\r\n").encode(CSV_ENCODING))
    return buffer.getvalue()
