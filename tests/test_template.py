"""The return templates: made from the schema and the code lists, and filled in by hand they pass intake."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pandera.errors
import pandera.polars as pa
import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.returns import template
from pipelines.returns.check import check_return
from pipelines.returns.reader import load_submission
from pipelines.returns.submit import submit
from pipelines.returns.template import CODE_LIST_SHEET, DICTIONARY_HEADER, DICTIONARY_SHEET, EXCEL_BOUNDS, template_bytes, write_template
from pipelines.returns.verdict import Verdict
from pipelines.settings import load_settings
from schemas.tables import DTYPES, MULTI_SEPARATOR, TABLES, Field, FieldKind
from seeds.reference_data import Code, code_lists
from tests.returns import diagnosis, episode, participant, review, site_row, write

SITE = "IPS0031"
TEXT_KINDS = (FieldKind.TEXT, FieldKind.CODE, FieldKind.CODES)


def example() -> dict[str, list[dict]]:
    """One site's year as its coordinator fills it in: three participants with serial numbers that start with zeros,
    one of whom left for a job; a municipality code that starts with a zero; one fidelity review."""
    return {
        "verksamhet": [site_row(SITE, "0180", 2.5, site_name="IPS Södermalm", financing="finsam|esf", supervisor_fte=0.5)],
        "deltagare": [
            participant(SITE, "001", "2024-09-02", sex="M", first_employer_contact_date="2024-09-20",
                        income_at_intake="sjukersattning|forsorjningsstod"),
            participant(SITE, "002", "2025-01-13", "2025-10-31", exit_reason="arbete", education="hogskola",
                        attachment_at_followup="ganska_stark", income_at_followup="lon", economic_situation="battre"),
            participant(SITE, "003", "2025-11-03", sex="X", income_at_intake="ingen", registered_at_af="okand"),
        ],
        "diagnoser": [diagnosis(SITE, "001", "psykos", "F20.0"), diagnosis(SITE, "001", "missbruk"),
                      diagnosis(SITE, "002", "depression", "F32"), diagnosis(SITE, "003", "okand")],
        "aktiviteter": [{**episode(SITE, "002", "konkurrensutsatt_arbete", "2025-06-16", "2025-10-31"), "hours_per_week": 37.5},
                        {**episode(SITE, "001", "praktik", "2025-03-01"), "hours_per_week": None}],
        "programtrohet": [review(SITE, "2025-05-20", 98)],
    }


def open_xlsx_template() -> Workbook:
    return load_workbook(io.BytesIO(template_bytes("xlsx").content))


def validations_by_column(sheet: Worksheet) -> dict[int, list[DataValidation]]:
    found: dict[int, list[DataValidation]] = {}
    for validation in sheet.data_validations.dataValidation:
        first_col, first_row, last_col, last_row = range_boundaries(str(validation.sqref))
        assert (first_col, first_row, last_row) == (last_col, 2, 1_048_576), validation.sqref  # one column, every row below the header
        found.setdefault(first_col, []).append(validation)
    return found


def dropdown(workbook: Workbook, validation: DataValidation) -> list[str]:
    """The codes a list validation offers: the cells its range points at."""
    sheet_name, cells = str(validation.formula1).split("!")
    return [row[0].value for row in workbook[sheet_name][cells.replace("$", "")]]


def column_number_format(sheet: Worksheet, index: int) -> str:
    return next(d.number_format for d in sheet.column_dimensions.values() if d.min <= index <= d.max)


def dictionary(workbook: Workbook) -> dict[tuple[str, str], dict[str, str]]:
    rows = list(workbook[DICTIONARY_SHEET].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if list(row) == DICTIONARY_HEADER)
    return {(row[0], row[1]): dict(zip(DICTIONARY_HEADER, row)) for row in rows[top + 1:]}


def test_xlsx_template_has_the_schemas_sheets_headers_and_code_lists():
    workbook = open_xlsx_template()
    assert workbook.sheetnames == [*TABLES, DICTIONARY_SHEET, CODE_LIST_SHEET]
    assert workbook[CODE_LIST_SHEET].sheet_state == "hidden" and workbook[CODE_LIST_SHEET].protection.sheet
    for name, table in TABLES.items():
        sheet = workbook[name]
        assert [c.value for c in sheet[1]] == list(table.columns)
        assert sheet.max_row == 1 and sheet.freeze_panes == "A2" and sheet["A1"].font.b
        validations = validations_by_column(sheet)
        for index, f in enumerate(table.fields, start=1):
            [validation] = validations[index]
            assert validation.promptTitle == f.name and validation.prompt, (name, f.name)
            if f.kind == FieldKind.CODE:
                assert validation.type == "list" and dropdown(workbook, validation) == [c.code for c in code_lists()[f.code_list]]
            elif f.kind == FieldKind.CODES:  # several codes in one cell: no list that would refuse them
                assert validation.type is None and MULTI_SEPARATOR in validation.prompt
            else:
                expected = {FieldKind.TEXT: None, FieldKind.DATE: "date", FieldKind.INTEGER: "whole", FieldKind.DECIMAL: "decimal"}
                assert validation.type == expected[f.kind], (name, f.name)
            if f.kind in TEXT_KINDS:  # Excel keeps 0180 and 001 as typed
                assert column_number_format(sheet, index) == "@", (name, f.name)


def test_data_dictionary_has_every_column_with_its_codes_in_swedish():
    entries = dictionary(open_xlsx_template())
    assert set(entries) == {(t.name, f.name) for t in TABLES.values() for f in t.fields}
    for table in TABLES.values():
        for f in table.fields:
            entry = entries[(table.name, f.name)]
            assert entry["Beskrivning"] and entry["Description"] and entry["Typ"], (table.name, f.name)
            assert (entry["Obligatorisk"] == "ja") == f.required
            codes = code_lists()[f.code_list] if f.code_list else ()
            assert (entry["Koder"] or "") == "\n".join(f"{c.code} – {c.label_sv}" for c in codes)
    assert "F20–F29" in entries[("diagnoser", "icd10_code")]["Regler (meddelandet vid fel)"]
    assert entries[("deltagare", "exit_reason")]["Obligatorisk"].startswith("villkorat: Avslutsorsak ska anges")


def test_template_follows_a_changed_code_list(monkeypatch):
    """The template is made from the code lists each time: a new code or a new label is in it at once."""
    changed = dict(code_lists())
    changed["sex"] = (*changed["sex"], Code("Y", "Ny kod", "New code", ""))
    monkeypatch.setattr(template, "code_lists", lambda: changed)
    workbook = open_xlsx_template()
    sex_column = TABLES["deltagare"].columns.index("sex") + 1
    [validation] = validations_by_column(workbook["deltagare"])[sex_column]
    assert dropdown(workbook, validation) == ["K", "M", "X", "Y"]
    assert dictionary(workbook)[("deltagare", "sex")]["Koder"].endswith("Y – Ny kod")


def schema_accepts(f: Field, value: float) -> bool:
    frame = pl.DataFrame({f.name: [value]}, schema={f.name: DTYPES[f.kind]})
    try:
        pa.DataFrameSchema({f.name: pa.Column(DTYPES[f.kind], checks=[rule.pandera_check() for rule in f.checks])}).validate(frame)
    except pandera.errors.SchemaError:
        return False
    return True


def test_excel_number_bounds_are_the_schemas():
    """Excel's range never refuses a number the schema accepts, nor lets through more than one step beyond it."""
    bounded = [(f, EXCEL_BOUNDS[str(c.error)]) for t in TABLES.values() for f in t.fields for c in f.checks if c.error in EXCEL_BOUNDS]
    assert set(EXCEL_BOUNDS) <= {str(c.error) for t in TABLES.values() for f in t.fields for c in f.checks}
    for f, (low, high) in bounded:
        step = 1 if f.kind == FieldKind.INTEGER else 0.01
        assert schema_accepts(f, low + step) and not schema_accepts(f, low - step), f.name
        if high is not None:
            assert schema_accepts(f, high) and not schema_accepts(f, high + step), f.name


def excel_value(value: object, dates_as_text: bool) -> object:
    """What Excel stores when a person types the value into the template's cell: a date typed into a date column
    becomes a date; text columns are formatted as text, so 0180 stays 0180."""
    if isinstance(value, dt.date):
        return value.isoformat() if dates_as_text else dt.datetime.combine(value, dt.time())
    return value


@pytest.mark.parametrize("dates_as_text", [False, True], ids=["excel-dates", "dates-pasted-as-text"])
def test_xlsx_template_filled_in_by_hand_passes_intake(tmp_path, dates_as_text):
    workbook = open_xlsx_template()
    for name, rows in example().items():
        sheet = workbook[name]
        header = [c.value for c in sheet[1]]
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(header, start=1):
                if row[column] is not None:
                    sheet.cell(r, c, excel_value(row[column], dates_as_text))
    filled = tmp_path / "IPS0031_2025.xlsx"
    workbook.save(filled)

    outcome = submit(filled, load_settings(tmp_path / "home"))
    assert outcome.verdict == Verdict.ACCEPTED, outcome.problems
    assert outcome.problems == []  # the template's own two sheets are expected, not warned about
    assert_same_tables_as_written_by_the_project(filled, tmp_path)


def swedish_excel_cell(value: object) -> str:
    """A cell as Swedish Excel saves it in a CSV file: decimal comma, dates YYYY-MM-DD (str of a date), empty = missing."""
    if value is None:
        return ""
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def test_csv_template_filled_in_passes_intake(tmp_path):
    """The CSV files as Swedish Excel saves them: semicolons, decimal comma, ISO dates, UTF-8 with BOM."""
    rows_of = example()
    with zipfile.ZipFile(io.BytesIO(template_bytes("csv").content)) as empty:
        members = {name: empty.read(name) for name in empty.namelist()}
    assert sorted(members) == sorted(f"{name}.csv" for name in TABLES)
    filled = tmp_path / "IPS0031_2025.zip"
    with zipfile.ZipFile(filled, "w") as archive:
        for member, content in members.items():
            assert content.startswith(b"\xef\xbb\xbf")
            text = content.decode("utf-8-sig")
            header = text.splitlines()[0].split(";")
            assert header == list(TABLES[member.removesuffix(".csv")].columns)
            buffer = io.StringIO(text, newline="")
            buffer.seek(0, io.SEEK_END)
            writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
            writer.writerows([[swedish_excel_cell(row[c]) for c in header] for row in rows_of[member.removesuffix(".csv")]])
            archive.writestr(member, buffer.getvalue().encode("utf-8-sig"))

    outcome = submit(filled, load_settings(tmp_path / "home"))
    assert outcome.verdict == Verdict.ACCEPTED and outcome.problems == []
    assert_same_tables_as_written_by_the_project(filled, tmp_path)


def assert_same_tables_as_written_by_the_project(filled: Path, tmp_path: Path) -> None:
    """The filled template gives the same typed tables as the example written by the project's own writer."""
    reference = check_return(load_submission(write(example(), tmp_path / "reference")))
    result = check_return(load_submission(filled))
    for name, frame in reference.tables.items():
        assert result.tables[name].drop("_row").equals(frame.drop("_row")), name
    assert result.tables["deltagare"]["participant_id"].to_list() == ["001", "002", "003"]
    assert result.tables["verksamhet"]["municipality_code"].to_list() == ["0180"]


def test_write_template_and_its_download(tmp_path):
    for fmt, suffix, mime in (("xlsx", ".xlsx", "spreadsheetml"), ("csv", ".zip", "zip")):
        content, file_name, mime_type = template_bytes(fmt)
        assert file_name.endswith(suffix) and mime in mime_type
        assert template_bytes(fmt).content == content  # the same code lists give the same bytes
        assert write_template(tmp_path, fmt) == tmp_path / file_name
        assert write_template(tmp_path / "ut" / f"mall{suffix}", fmt).read_bytes() == content
