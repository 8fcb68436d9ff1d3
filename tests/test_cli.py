"""The ips-monitor command as a user runs it: verdicts and exit codes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.returns import diagnosis, participant, site_row, write

CLI = str(Path(sys.executable).parent / "ips-monitor")


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, "IPS_MONITOR_HOME": str(home)})


def one_participant_return(tmp_path: Path, name: str, sex: str = "K") -> Path:
    return write({
        "verksamhet": [site_row("IPS0005", "0180", 1.0)],
        "deltagare": [participant("IPS0005", "P1", "2025-01-01", sex=sex)],
        "diagnoser": [diagnosis("IPS0005", "P1")],
    }, tmp_path / name)


def test_submit_exit_codes(tmp_path):
    home = tmp_path / "home"
    good, bad = one_participant_return(tmp_path, "good"), one_participant_return(tmp_path, "bad", sex="kvinna")
    accepted = run_cli("submit", str(good), home=home)
    assert accepted.returncode == 0, accepted.stdout
    assert "ACCEPTED" in accepted.stdout and "IPS0005 2025" in accepted.stdout

    mixed = run_cli("submit", str(bad), str(good), home=home)
    assert mixed.returncode == 1
    assert "REJECTED" in mixed.stdout and "ALREADY RECEIVED" in mixed.stdout
    assert "deltagare, rad/row 2, kolumn/column sex" in mixed.stdout and "'kvinna'" in mixed.stdout

    missing = run_cli("submit", str(tmp_path / "no-such-return"), home=home)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert run_cli("submit", home=home).returncode == 2
    assert run_cli("export", "--format", "pdf", "--out", "x", home=home).returncode == 2


def test_home_is_taken_from_the_option_before_or_after_the_command(tmp_path):
    good = one_participant_return(tmp_path, "good")
    before, after = tmp_path / "before", tmp_path / "after"
    assert subprocess.run([CLI, "--home", str(before), "submit", str(good)], capture_output=True).returncode == 0
    assert subprocess.run([CLI, "submit", str(good), "--home", str(after)], capture_output=True).returncode == 0
    assert any((before / "archive").iterdir()) and any((after / "archive").iterdir())


def test_export_before_any_run_says_what_to_do(tmp_path):
    result = run_cli("export", "--format", "sdmx-csv", "--out", str(tmp_path / "x.csv"), home=tmp_path / "empty")
    assert result.returncode == 2 and "ips-monitor run" in result.stderr


def test_run_before_any_accepted_return_says_what_to_do(tmp_path):
    home = tmp_path / "home"
    assert run_cli("submit", str(one_participant_return(tmp_path, "bad", sex="kvinna")), home=home).returncode == 1
    result = run_cli("run", home=home)
    assert result.returncode == 2 and "no accepted returns" in result.stderr and "ips-monitor submit" in result.stderr
    assert not (home / "warehouse.duckdb").exists() and not (home / "logs").exists()


def test_export_formats_from_the_published_snapshot(small_warehouse, tmp_path):
    for fmt, name in (("sdmx-csv", "ips.csv"), ("csv", "tidy.csv"), ("xlsx", "ips.xlsx")):
        result = run_cli("export", "--format", fmt, "--out", str(tmp_path / name), "--year", "2025", home=small_warehouse.home)
        assert result.returncode == 0, result.stderr
    with (tmp_path / "tidy.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))  # Swedish Excel's dialect by default
    national = next(r for r in rows if r["indikator_indicator"] == "EMP_COMP_RATE" and r["område_area"] == "SE" and r["period"] == "2025"
                    and r["kön_sex"] == "_T" and r["ålder_age"] == "_T" and r["diagnos_diagnosis"] == "_T")
    assert national["värde_value"] == "40,9" and national["område_sv"] == "Sverige"
    assert national["indikator_sv"] == "Andel i konkurrensutsatt arbete (%)"
    assert (national["enhet_sv"], national["unit_en"]) == ("Procent", "Percent")

    from openpyxl import load_workbook

    workbook = load_workbook(tmp_path / "ips.xlsx")
    assert workbook.sheetnames == ["data", "definitioner", "läs_mig_readme"]
    header = [c.value for c in workbook["data"][1]]
    values = {row[header.index("indikator_indicator")]: row[header.index("värde_value")]
              for row in workbook["data"].iter_rows(min_row=2, values_only=True)
              if row[header.index("område_area")] == "SE" and row[header.index("period")] == "2025"
              and row[header.index("kön_sex")] == "_T" and row[header.index("ålder_age")] == "_T" and row[header.index("diagnos_diagnosis")] == "_T"}
    assert values["PARTICIPANTS"] == 22 and isinstance(values["PARTICIPANTS"], int)  # numbers stay numbers
    assert values["EMP_COMP_RATE"] == 40.9


def test_template_command_writes_both_templates(tmp_path):
    from openpyxl import load_workbook

    from schemas.tables import TABLES

    for fmt, name in (("xlsx", "mall.xlsx"), ("csv", "mall.zip")):
        result = run_cli("template", "--format", fmt, "--out", str(tmp_path / name), home=tmp_path / "home")
        assert result.returncode == 0 and f"{tmp_path / name}:" in result.stdout, result.stderr
    assert load_workbook(tmp_path / "mall.xlsx").sheetnames[:len(TABLES)] == list(TABLES)
    assert sorted(zipfile.ZipFile(tmp_path / "mall.zip").namelist()) == sorted(f"{name}.csv" for name in TABLES)


def test_site_report_command(small_warehouse, tmp_path):
    from pypdf import PdfReader

    one = run_cli("site-report", "--site", "IPS0001", "--year", "2025", "--out", str(tmp_path / "r.pdf"), home=small_warehouse.home)
    assert one.returncode == 0, one.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    assert "IPS0001" in text and "2025" in text
    every = run_cli("site-report", "--year", "2025", "--out", str(tmp_path / "all.zip"), home=small_warehouse.home)
    assert every.returncode == 0, every.stderr
    assert zipfile.ZipFile(tmp_path / "all.zip").namelist() == ["IPS0001_2025_rapport.pdf", "IPS0002_2025_rapport.pdf"]
    missing = run_cli("site-report", "--site", "IPS0001", "--year", "2019", "--out", str(tmp_path / "x.pdf"), home=small_warehouse.home)
    assert missing.returncode == 2 and "has no accepted return for 2019" in missing.stderr and not (tmp_path / "x.pdf").exists()
