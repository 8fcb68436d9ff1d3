"""Intake: dialects, rules, feedback, the archive and identity numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile

import polars as pl
import pytest
from personnummer import personnummer

from pipelines.returns.archive import read_receipts
from pipelines.returns.check import check_return, check_returns
from pipelines.returns.reader import load_submission
from pipelines.returns.submit import submit, submit_all
from pipelines.returns.verdict import Verdict
from pipelines.settings import load_settings
from seeds.demo_returns import Dialect
from tests.returns import diagnosis, episode, minimal_return, participant, write
from tests.small_dataset import SITE_A, SITE_B

DIALECTS = {
    "utf8-comma": Dialect(),
    "utf8-bom-semicolon-decimal-comma": Dialect("utf-8-sig", ";", ","),
    "windows1252-semicolon": Dialect("cp1252", ";", ","),
    "shouting-headers": Dialect(header_style="shouting"),
    "zip": Dialect(container="zip"),
    "xlsx": Dialect(container="xlsx"),
}


def problems_of(tables, tmp_path, dialect=Dialect()):
    result = check_return(load_submission(write(tables, tmp_path / "return", dialect)))
    return result, {(p.table, p.row, p.column, p.rule_id) for p in result.problems}


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_every_dialect_gives_the_same_tables(tmp_path, dialect):
    reference = check_return(load_submission(write(SITE_A, tmp_path / "reference")))
    result = check_return(load_submission(write(SITE_A, tmp_path / "return", dialect)))
    assert result.accepted, result.problems
    for name, frame in reference.tables.items():
        assert result.tables[name].drop("_row").equals(frame.drop("_row")), name
    # Swedish letters survive every encoding
    swedish = check_return(load_submission(write(minimal_return(), tmp_path / "sv", dialect)))
    assert swedish.tables["verksamhet"]["site_name"].to_list() == ["IPS Hälsingland – Hudiksvall"]


def test_problems_name_table_row_column_value_and_rule(tmp_path):
    tables = minimal_return(sex="Q", birth_year=2020, exit_date=None)
    tables["deltagare"].append(participant("IPS0009", "L2", "2025-13-01"))
    tables["aktiviteter"].append(episode("IPS0009", "NOBODY", "studier", "2025-03-01"))
    result, found = problems_of(tables, tmp_path)
    assert not result.accepted
    assert ("deltagare", 2, "sex", "code:sex") in found
    assert ("deltagare", 2, "birth_year", "birth_year_range") in found
    assert ("deltagare", 3, "intake_date", "type_date") in found
    assert ("aktiviteter", 3, "participant_id", "participant_unknown") in found
    assert ("deltagare", 3, "participant_id", "participant_without_diagnosis") in found
    bad_sex = next(p for p in result.problems if p.rule_id == "code:sex")
    assert bad_sex.value == "Q"
    assert "Tillåtna koder: K, M, X" in bad_sex.message_sv and "Allowed codes: K, M, X" in bad_sex.message_en
    # a cell that fails to parse is reported once, not again as "missing"
    assert ("deltagare", 3, "intake_date", "required") not in found


def test_returns_checked_together_each_get_their_own_problems(tmp_path):
    """A batch is checked in one Pandera pass: each problem must land on its own return, at its own row."""
    first_bad = minimal_return(sex="Q")
    second_bad = minimal_return(birth_year=2020)
    second_bad["deltagare"].insert(0, participant("IPS0009", "L0", "2025-01-15"))  # L1 is on row 3 here
    second_bad["diagnoser"].insert(0, diagnosis("IPS0009", "L0"))
    returns = [minimal_return(), first_bad, minimal_return(education="hogskola"), second_bad, {**minimal_return(), "deltagare": []}]
    submissions = [load_submission(write(tables, tmp_path / f"return{i}")) for i, tables in enumerate(returns)]
    together = check_returns(submissions)
    found = [{(p.table, p.row, p.column, p.rule_id, p.value) for p in result.problems} for result in together]
    assert found[0] == found[2] == set()
    assert found[1] == {("deltagare", 2, "sex", "code:sex", "Q")}
    assert found[3] == {("deltagare", 3, "birth_year", "birth_year_range", "2020")}
    assert {rule for _, _, _, rule, _ in found[4]} == {"participant_unknown"}  # its diagnosis and episode name nobody
    assert [r.accepted for r in together] == [True, False, True, False, False]
    assert [r.problems for r in together] == [check_return(s).problems for s in submissions]


def test_returns_sent_together_are_stored_in_order_once_each(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = write(minimal_return(), tmp_path / "first")
    replacement = write(minimal_return(education="hogskola"), tmp_path / "replacement")
    (outcomes,) = submit_all([first, first, replacement], settings)  # one batch
    assert [o.verdict for o in outcomes] == [Verdict.ACCEPTED, Verdict.DUPLICATE, Verdict.ACCEPTED]
    assert outcomes[1].receipt == outcomes[0].receipt
    assert outcomes[2].receipt.supersedes == outcomes[0].receipt.return_id
    assert [r.return_id for r in read_receipts(settings.archive_dir)] == [outcomes[0].receipt.return_id, outcomes[2].receipt.return_id]


def test_required_when_and_fidelity_rules(tmp_path):
    tables = minimal_return(exit_date="2025-05-01")  # exit without a reason
    tables["deltagare"][0]["exit_reason"] = None
    tables["aktiviteter"][0]["employer_sector"] = None
    tables["programtrohet"][0]["total_score"] = 100  # the items add up to 101
    tables["diagnoser"][0]["icd10_code"] = "F32"  # depression's block under psykos
    _, found = problems_of(tables, tmp_path)
    assert {
        ("deltagare", 2, "exit_reason", "exit_reason_required"),
        ("aktiviteter", 2, "employer_sector", "employer_sector_required"),
        ("programtrohet", 2, "total_score", "fidelity_total_sum"),
        ("diagnoser", 2, "icd10_code", "icd10_group"),
    } <= found


def test_unknown_columns_are_warnings_and_the_return_is_accepted(tmp_path):
    tables = minimal_return()
    folder = write(tables, tmp_path / "return")
    text = (folder / "deltagare.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",kommentar"] + [line + ",ok" for line in text[1:]]
    (folder / "deltagare.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = check_return(load_submission(folder))
    assert result.accepted
    assert [(p.rule_id, p.column, p.severity) for p in result.problems] == [("column_unknown", "kommentar", "warning")]


def test_missing_optional_fidelity_file_is_fine_but_a_missing_table_is_not(tmp_path):
    tables = minimal_return()
    tables["programtrohet"] = []
    folder = write(tables, tmp_path / "return")
    assert not (folder / "programtrohet.csv").exists()
    assert check_return(load_submission(folder)).accepted
    (folder / "diagnoser.csv").unlink()
    missing = check_return(load_submission(folder))
    assert ("diagnoser", None, None, "file_missing") in {(p.table, p.row, p.column, p.rule_id) for p in missing.problems}


def test_archive_keeps_files_unchanged_with_checksum_and_verdict(tmp_path):
    settings = load_settings(tmp_path / "home")
    folder = write(minimal_return(), tmp_path / "return")
    outcome = submit(folder, settings)
    assert outcome.verdict == "accepted"
    (receipt,) = read_receipts(settings.archive_dir)
    assert (receipt.verdict, receipt.site_id, receipt.reporting_year) == ("accepted", "IPS0009", 2025)
    stored = settings.archive_dir / receipt.return_id / "files"
    for original in folder.iterdir():
        assert (stored / original.name).read_bytes() == original.read_bytes()
        entry = next(f for f in receipt.files if f["name"] == original.name)
        assert entry["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()


def test_identical_return_twice_changes_nothing_and_newer_return_supersedes(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = write(minimal_return(), tmp_path / "first")
    assert submit(first, settings).verdict == "accepted"
    again = submit(first, settings)
    assert again.verdict == "duplicate" and again.ok
    assert len(read_receipts(settings.archive_dir)) == 1
    corrected = write(minimal_return(sex="M"), tmp_path / "corrected")
    assert submit(corrected, settings).verdict == "accepted"
    receipts = read_receipts(settings.archive_dir)
    assert len(receipts) == 2  # the history stays

    from pipelines.returns.archive import current_returns

    (current,) = current_returns(receipts).values()
    assert current.return_id == receipts[-1].return_id


def test_rejected_return_is_archived_with_a_report(tmp_path):
    settings = load_settings(tmp_path / "home")
    outcome = submit(write(minimal_return(sex="Q"), tmp_path / "bad"), settings)
    assert outcome.verdict == "rejected" and not outcome.ok
    (receipt,) = read_receipts(settings.archive_dir)
    assert receipt.verdict == "rejected" and receipt.error_count == 1
    report_csv = next(p for p in outcome.report_paths if p.suffix == ".csv")
    received = dt.datetime.fromisoformat(receipt.received_at)
    assert report_csv.name == f"IPS0009_2025_rejected_{received:%Y%m%dT%H%M%S}.csv"  # which site, year, verdict and time
    lines = report_csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[:6] == ["verksamhet / site;IPS0009", "år / year;2025", "fil / file;bad",
                         f"kontrollerad / checked (UTC);{received:%Y-%m-%d %H:%M:%S}", "beslut / verdict;avvisad / rejected", ""]
    report = pl.read_csv(report_csv, separator=";", skip_rows=6)
    assert report.row(0, named=True)["regel / rule"] == "code:sex"
    assert report.row(0, named=True)["allvarlighet / severity"] == "FEL/ERROR"
    assert report.row(0, named=True)["rad / row"] == 2


def valid_personnummer() -> str:
    """A valid personnummer, made here so no file in the repository holds one."""
    digits = "850709" + "123"
    total = 0
    for i, c in enumerate(digits):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    number = digits + str((10 - total % 10) % 10)
    assert personnummer.valid(number)
    return number


@pytest.mark.parametrize("where", ["participant_id", "site_name", "comment_file", "utf16_file", "xlsx_extra_sheet",
                                   "folder_name", "file_name", "zip_name", "zip_member_name"])
def test_identity_number_refuses_the_whole_return_and_keeps_nothing(tmp_path, capsys, where):
    from pipelines.cli import main

    number = valid_personnummer()
    tables = minimal_return()
    if where == "participant_id":
        for table in ("deltagare", "diagnoser", "aktiviteter"):
            tables[table][0]["participant_id"] = number[:6] + "-" + number[6:]
    elif where == "site_name":
        tables["verksamhet"][0]["site_name"] = f"IPS (kontakt 19{number})"
    folder = write(tables, tmp_path / (f"retur_{number}" if where == "folder_name" else "return"))
    if where == "file_name":
        (folder / f"anteckningar {number[:6]}-{number[6:]}.txt").write_text("inget här", encoding="utf-8")
    if where in ("zip_name", "zip_member_name"):
        folder = write(tables, tmp_path / ("19" + number if where == "zip_name" else "packed"), Dialect(container="zip"))
        if where == "zip_member_name":
            with zipfile.ZipFile(folder, "a") as packed:
                packed.writestr(f"{number}.txt", "inget här")
    if where == "comment_file":
        (folder / "anteckningar.txt").write_text(f"ring {number}", encoding="utf-8")
    if where == "utf16_file":  # unreadable as a table, yet the number must still be found
        text = (folder / "deltagare.csv").read_text(encoding="utf-8").replace("L1", number)
        (folder / "deltagare.csv").write_bytes(text.encode("utf-16"))
    if where == "xlsx_extra_sheet":
        from openpyxl import load_workbook

        folder = write(tables, tmp_path / "workbook", Dialect(container="xlsx"))
        workbook = load_workbook(folder)
        workbook.create_sheet("anteckningar").append(["kontakt", int(number)])  # a number cell, as Excel stores it
        workbook.save(folder)
    home = tmp_path / "home"
    assert main(["submit", str(folder), "--home", str(home)]) == 1
    printed = capsys.readouterr()
    assert "REFUSED" in printed.out and "identity_number" in printed.out
    assert number not in printed.out + printed.err and number[6:] not in printed.out + printed.err
    for path in home.rglob("*") if home.exists() else []:
        if path.is_file():
            content = path.read_bytes()
            assert number.encode() not in content and number[6:].encode() not in content, path
    assert not (home / "archive").exists() or not any((home / "archive").iterdir())


def test_receipt_is_plain_json_with_time_and_verdict(tmp_path):
    settings = load_settings(tmp_path / "home")
    outcome = submit(write(SITE_B, tmp_path / "b"), settings)
    receipt = json.loads((settings.archive_dir / outcome.receipt.return_id / "receipt.json").read_text(encoding="utf-8"))
    assert receipt["verdict"] == "accepted" and receipt["received_at"].startswith("20")
    assert len(receipt["checksum"]) == 64


def test_a_site_id_never_chooses_where_a_report_is_written(tmp_path):
    tables = minimal_return()
    for rows in tables.values():
        for row in rows:
            row["site_id"] = "../../../utanför"
    settings = load_settings(tmp_path / "home")
    outcome = submit(write(tables, tmp_path / "return"), settings)
    assert outcome.verdict == "rejected" and outcome.report_paths
    for path in outcome.report_paths:
        assert path.resolve().parent == settings.reports_dir.resolve() and path.name.startswith("okand_2025_rejected_"), path
    assert not [p for p in tmp_path.parent.rglob("*utanför*")]
