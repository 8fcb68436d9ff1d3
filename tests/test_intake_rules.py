"""One bad return per rule of format v1, each rejected with exactly the expected problem.

Each case damages the valid return of ``tests.returns.minimal_return`` (one site,
participant L1 at row 2 of every table) in one way, either in its rows or in the
written files, and names the problem the site must be told about.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipelines.returns.check import check_return
from pipelines.returns.reader import SubmissionError, load_submission
from pipelines.returns.submit import submit
from pipelines.settings import MAX_FILE_BYTES, load_settings
from schemas.rules import RULES
from schemas.tables import TABLES
from seeds.demo_returns import Dialect
from tests.returns import diagnosis, episode, minimal_return, participant, write

SITE = "IPS0009"


def set_cells(table: str, index: int = 0, **values):
    def mutate(tables):
        tables[table][index].update(values)
    return mutate


def everywhere(**values):
    def mutate(tables):
        for rows in tables.values():
            for row in rows:
                row.update(values)
    return mutate


def add_row(table: str, row: dict):
    return lambda tables: tables[table].append(row)


def rewrite_file(name: str, change):
    def mutate(folder: Path):
        path = folder / name
        path.write_bytes(change(path.read_bytes()))
    return mutate


def header_change(name: str, change):
    def edit(content: bytes) -> bytes:
        lines = content.decode("utf-8").split("\r\n")
        lines[0] = change(lines[0])
        return "\r\n".join(lines).encode("utf-8")
    return rewrite_file(name, edit)


ROW_CASES = [
    ("required", set_cells("deltagare", sex=None), ("deltagare", 2, "sex")),
    ("type_integer", set_cells("deltagare", birth_year="nittio"), ("deltagare", 2, "birth_year")),
    ("type_decimal", set_cells("verksamhet", specialist_fte="två"), ("verksamhet", 2, "specialist_fte")),
    ("type_date", set_cells("deltagare", intake_date="2025/02/01"), ("deltagare", 2, "intake_date")),
    ("site_id_format", everywhere(site_id="IPS42"), ("verksamhet", 2, "site_id")),
    ("reporting_year_range", everywhere(reporting_year=1999), ("verksamhet", 2, "reporting_year")),
    ("participant_id_format", lambda t: [r.update(participant_id="L 1") for n in ("deltagare", "diagnoser", "aktiviteter") for r in t[n]],
     ("deltagare", 2, "participant_id")),
    ("participant_id_unique", add_row("deltagare", participant(SITE, "L1", "2025-02-01")), ("deltagare", 3, "participant_id")),
    ("municipality_unknown", set_cells("verksamhet", municipality_code="9999"), ("verksamhet", 2, "municipality_code")),
    ("non_negative", set_cells("verksamhet", specialist_fte=-1.0), ("verksamhet", 2, "specialist_fte")),
    ("birth_year_range", set_cells("deltagare", birth_year=2015), ("deltagare", 2, "birth_year")),
    ("codes_ingen_alone", set_cells("deltagare", income_at_intake="ingen|lon"), ("deltagare", 2, "income_at_intake")),
    ("codes_duplicate", set_cells("deltagare", income_at_intake="lon|lon"), ("deltagare", 2, "income_at_intake")),
    ("exit_reason_required", set_cells("deltagare", exit_date="2025-05-01", exit_reason=None), ("deltagare", 2, "exit_reason")),
    ("exit_reason_without_exit", set_cells("deltagare", exit_reason="arbete"), ("deltagare", 2, "exit_reason")),
    ("intake_after_year", set_cells("deltagare", intake_date="2026-01-05"), ("deltagare", 2, "intake_date")),
    ("contact_before_intake", set_cells("deltagare", first_employer_contact_date="2025-01-15"),
     ("deltagare", 2, "first_employer_contact_date")),
    ("exit_before_intake", set_cells("deltagare", exit_date="2025-01-15", exit_reason="annat"), ("deltagare", 2, "exit_date")),
    ("exit_before_year", lambda t: t["deltagare"][0].update(intake_date="2024-01-01", exit_date="2024-12-31", exit_reason="annat"),
     ("deltagare", 2, "exit_date")),
    ("same_site_year", set_cells("aktiviteter", reporting_year=2024), ("aktiviteter", 2, "reporting_year")),
    ("participant_unknown", add_row("aktiviteter", episode(SITE, "L2", "studier", "2025-03-01")), ("aktiviteter", 3, "participant_id")),
    ("participant_without_diagnosis", add_row("deltagare", participant(SITE, "L2", "2025-03-01")), ("deltagare", 3, "participant_id")),
    ("icd10_format", set_cells("diagnoser", icd10_code="F2O"), ("diagnoser", 2, "icd10_code")),
    ("icd10_group", set_cells("diagnoser", icd10_code="F32.1"), ("diagnoser", 2, "icd10_code")),
    ("activity_after_year", set_cells("aktiviteter", start_date="2026-01-02"), ("aktiviteter", 2, "start_date")),
    ("activity_before_intake", set_cells("aktiviteter", start_date="2025-01-20"), ("aktiviteter", 2, "start_date")),
    ("activity_end_before_start", set_cells("aktiviteter", end_date="2025-02-20"), ("aktiviteter", 2, "end_date")),
    ("activity_end_before_year", lambda t: (t["deltagare"][0].update(intake_date="2024-01-01"),
                                            t["aktiviteter"][0].update(start_date="2024-02-01", end_date="2024-12-01")),
     ("aktiviteter", 2, "end_date")),
    ("hours_range", set_cells("aktiviteter", hours_per_week=61.0), ("aktiviteter", 2, "hours_per_week")),
    ("employer_sector_required", set_cells("aktiviteter", employer_sector=None), ("aktiviteter", 2, "employer_sector")),
    ("review_outside_year", set_cells("programtrohet", review_date="2024-12-31"), ("programtrohet", 2, "review_date")),
    ("fidelity_item_range", set_cells("programtrohet", item_01=6, total_score=None), ("programtrohet", 2, "item_01")),
    ("fidelity_total_sum", set_cells("programtrohet", total_score=125), ("programtrohet", 2, "total_score")),
    ("row_count_site", add_row("verksamhet", dict(minimal_return()["verksamhet"][0])), ("verksamhet", None, None)),
]

FILE_CASES = [
    ("file_missing", lambda folder: (folder / "diagnoser.csv").unlink(), ("diagnoser", None, None)),
    ("file_empty", rewrite_file("deltagare.csv", lambda _: b""), ("deltagare", None, None)),
    ("encoding", rewrite_file("deltagare.csv", lambda b: b.replace(b"gymnasium", b"gymn\x81sium")), ("deltagare", None, None)),
    ("delimiter", rewrite_file("deltagare.csv", lambda b: b.replace(b",", b"\t")), ("deltagare", 1, None)),
    ("ragged_row", rewrite_file("deltagare.csv", lambda b: b.replace(b"\r\n", b",extra\r\n", 2).replace(b",extra", b"", 1)),
     ("deltagare", 2, None)),
    ("column_missing", header_change("deltagare.csv", lambda h: h.replace("sex", "kön")), ("deltagare", 1, "sex")),
    ("column_duplicate", header_change("deltagare.csv", lambda h: h.replace("education", "sex")), ("deltagare", 1, "sex")),
]

WARNING_CASES = [
    ("column_unknown", header_change("diagnoser.csv", lambda h: h + ",kommentar"), ("diagnoser", 1, "kommentar")),
    ("unknown_file", lambda folder: (folder / "anteckningar.txt").write_text("Skickat av Eva", encoding="utf-8"),
     ("anteckningar.txt", None, None)),
]

CODE_FIELDS = [(table.name, f.name, f.code_list) for table in TABLES.values() for f in table.fields if f.code_list]


def located(result):
    return {(p.table, p.row, p.column, p.rule_id) for p in result.problems}


@pytest.mark.parametrize(("rule_id", "mutate", "where"), ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_row_rule(tmp_path, rule_id, mutate, where):
    tables = minimal_return()
    mutate(tables)
    result = check_return(load_submission(write(tables, tmp_path / "return")))
    assert not result.accepted
    assert (*where, rule_id) in located(result), result.problems


@pytest.mark.parametrize(("table", "column", "code_list"), CODE_FIELDS, ids=[f"{t}.{c}" for t, c, _ in CODE_FIELDS])
def test_every_code_list(tmp_path, table, column, code_list):
    tables = minimal_return(exit_date="2025-06-01", exit_reason="arbete", attachment_at_followup="okand",
                            income_at_followup="lon", economic_situation="okand")
    tables[table][0][column] = "okänd_kod"
    result = check_return(load_submission(write(tables, tmp_path / "return")))
    assert (table, 2, column, f"code:{code_list}") in located(result)
    problem = next(p for p in result.problems if p.rule_id == f"code:{code_list}")
    assert problem.value == "okänd_kod" and "Tillåtna koder" in problem.message_sv


@pytest.mark.parametrize(("rule_id", "mutate", "where"), FILE_CASES + WARNING_CASES, ids=[c[0] for c in FILE_CASES + WARNING_CASES])
def test_file_rule(tmp_path, rule_id, mutate, where):
    folder = write(minimal_return(), tmp_path / "return")
    mutate(folder)
    result = check_return(load_submission(folder))
    assert (*where, rule_id) in located(result), result.problems
    assert result.accepted == (rule_id in {c[0] for c in WARNING_CASES})


def test_every_rule_has_a_case():
    covered = {c[0] for c in ROW_CASES + FILE_CASES + WARNING_CASES} | {"identity_number", "identity_number_in_name"}  # see test_intake.py
    covered |= {"file_unreadable", "file_too_large", "single_csv"}  # below
    covered |= {"site_not_yours"}  # tests/test_upload.py
    assert covered == set(RULES)


def test_truncated_zip_is_unreadable_and_not_kept(tmp_path):
    archive = write(minimal_return(), tmp_path / "return", Dialect(container="zip"))
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    settings = load_settings(tmp_path / "home")
    outcome = submit(archive, settings)
    assert outcome.verdict == "unreadable" and [p.rule_id for p in outcome.problems] == ["file_unreadable"]
    assert not settings.archive_dir.exists()  # a damaged zip cannot be checked for identity numbers


def test_xlsx_with_a_missing_sheet(tmp_path):
    from openpyxl import load_workbook

    path = write(minimal_return(), tmp_path / "return", Dialect(container="xlsx"))
    workbook = load_workbook(path)
    del workbook["aktiviteter"]
    workbook.save(path)
    result = check_return(load_submission(path))
    assert ("aktiviteter", None, None, "file_missing") in located(result)


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "rapport.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert [p.rule_id for p in check_return(load_submission(path)).problems] == ["file_unreadable"]


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path):
    folder = write(minimal_return(), tmp_path / "return")
    with (folder / "deltagare.csv").open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert MAX_FILE_BYTES < 50 * 1024 * 1024
    with pytest.raises(SubmissionError) as refused:
        load_submission(folder)
    assert refused.value.problem.rule_id == "file_too_large"
    settings = load_settings(tmp_path / "home")
    assert submit(folder, settings).verdict == "unreadable" and not settings.archive_dir.exists()


def test_a_single_csv_file_is_not_a_return(tmp_path):
    folder = write(minimal_return(), tmp_path / "return")
    with pytest.raises(SubmissionError) as refused:
        load_submission(folder / "deltagare.csv")
    assert refused.value.problem.rule_id == "single_csv" and "mappen" in refused.value.problem.message_sv


def test_utf16_is_an_encoding_error_not_garbage(tmp_path):
    folder = write(minimal_return(), tmp_path / "return")
    text = (folder / "deltagare.csv").read_text(encoding="utf-8")
    (folder / "deltagare.csv").write_bytes(text.encode("utf-16"))
    result = check_return(load_submission(folder))
    assert ("deltagare", None, None, "encoding") in located(result)


def test_all_problems_reported_not_only_the_first(tmp_path):
    tables = minimal_return(sex="Q", education="doktor")
    tables["deltagare"].append(participant(SITE, "L2", "2025-03-01", birth_year=2020))
    tables["diagnoser"].append(diagnosis(SITE, "L2", "okand"))
    result = check_return(load_submission(write(tables, tmp_path / "return")))
    assert {("deltagare", 2, "sex"), ("deltagare", 2, "education"), ("deltagare", 3, "birth_year")} <= {
        (p.table, p.row, p.column) for p in result.errors}


def test_row_numbers_are_the_sites_own_with_blank_lines(tmp_path):
    tables = minimal_return()
    tables["deltagare"].append(participant(SITE, "L2", "2025-03-01", sex="Q"))
    tables["diagnoser"].append(diagnosis(SITE, "L2"))
    folder = write(tables, tmp_path / "return")
    content = (folder / "deltagare.csv").read_bytes().split(b"\r\n")
    (folder / "deltagare.csv").write_bytes(b"\r\n".join([content[0], content[1], b"", b";;", *content[2:]]).replace(b";;", b",,"))
    result = check_return(load_submission(folder))
    assert ("deltagare", 5, "sex", "code:sex") in located(result)


def test_zip_with_a_folder_inside(tmp_path):
    folder = write(minimal_return(), tmp_path / "return")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in folder.iterdir():
            archive.write(f, f"IPS0009_2025/{f.name}")
    path = tmp_path / "rapport.zip"
    path.write_bytes(buffer.getvalue())
    assert check_return(load_submission(path)).accepted
