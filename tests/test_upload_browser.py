"""A site's upload in Debian's Chromium: the template, a bad return and its problems, a replacement with its change
summary, the confirmation and the receipt, the new figures on the dashboard and in the site report; beside it, the
analyst's collection board following the site's status. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboards.site_report import report_name
from pipelines.returns import archive
from pipelines.settings import PROJECT_ROOT
from seeds.demo_returns import generate_demo_returns
from tests.test_dashboard import PASSWORD, browser, sign_in
from tests.test_dashboard_roles import SCREENSHOTS, served  # noqa: F401 -- the served dashboard, a fixture

OUTPUT = PROJECT_ROOT / "test-output"


def edited_return(original: Path, target: Path, edit) -> list[str]:
    """A copy of a return folder with its tables edited (``edit`` gets table -> rows); the paths of its files."""
    shutil.copytree(original, target)
    tables = {}
    for name in ("deltagare", "diagnoser"):
        text = (target / f"{name}.csv").read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
        tables[name] = (list(csv.DictReader(io.StringIO(text), dialect=dialect)), dialect)
    edit({name: rows for name, (rows, _) in tables.items()})
    for name, (rows, dialect) in tables.items():
        with (target / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), dialect=dialect)
            writer.writeheader()
            writer.writerows(rows)
    return [str(p) for p in sorted(target.iterdir())]


def choose_files(page, paths: list[str]) -> None:
    """Choose the files and wait until every one is uploaded, as a person sees them listed under the field."""
    page.locator("input[type='file']").set_input_files(paths)
    page.wait_for_function(f"""document.querySelectorAll("[data-testid='stFileChipName']").length === {len(paths)}
        && !document.querySelector("[data-testid='stFileUploader'] [role='progressbar']")""", timeout=60_000)


def break_two(tables: dict[str, list[dict]]) -> None:
    tables["deltagare"][0]["sex"] = "kvinna"
    tables["deltagare"][1]["birth_year"] = ""


def add_a_participant(tables: dict[str, list[dict]]) -> None:
    """One more participant, like the first, with a serial number of its own."""
    first = tables["deltagare"][0]
    tables["deltagare"].append({**first, "participant_id": "NY-1"})
    tables["diagnoser"] += [{**row, "participant_id": "NY-1"} for row in tables["diagnoser"] if row["participant_id"] == first["participant_id"]]


def site_participants(settings) -> int:
    """IPS0001's participants in 2025 as published for the site now."""
    with duckdb.connect(str(settings.site_level_path), read_only=True) as connection:
        (participants,) = connection.execute("select obs_value from fct_indicator_site where site_id = 'IPS0001' "
                                             "and time_period = '2025' and indicator_code = 'PARTICIPANTS'").fetchall()
    return int(participants[0])


def shows_participants(page, count: int) -> bool:
    """Whether the site's own figures on Min verksamhet (the table's accessible cells) give ``count`` participants."""
    page.wait_for_selector("text=Verksamhetens egna siffror", timeout=60_000)
    page.wait_for_timeout(1000)
    cells = page.locator("[data-testid='stDataFrame']").first.locator("[role='gridcell']").all_inner_texts()
    return any(cells[i] == "Antal deltagare" and cells[i + 1] == str(count) for i in range(len(cells) - 1))


def board_status(page, site_id: str) -> str:
    """The site's status on the analyst's collection board for 2025, the page opened afresh."""
    page.get_by_role("link", name="Översikt").click()
    page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    page.get_by_role("link", name="Insamling").click()
    page.wait_for_selector("text=Rapportår", timeout=60_000)
    picker = page.get_by_label("Rapportår")
    if picker.input_value() != "2025":  # the year being collected is last year: 2025 only until the new year
        picker.click()
        page.get_by_role("option", name="2025", exact=True).click()
    page.wait_for_selector("text=Verksamheternas status för 2025", timeout=60_000)
    board = page.locator("[data-testid='stDataFrame']").first
    board.locator("[role='gridcell']").first.wait_for(state="attached", timeout=60_000)
    cells = board.locator("[role='gridcell']").all_inner_texts()
    page.screenshot(path=str(SCREENSHOTS / "cycle-board.png"), full_page=True)
    assert site_id in cells, cells
    return cells[cells.index(site_id) + 2]  # Id, Verksamhet, Status


@pytest.mark.browser
def test_a_site_uploads_sees_its_problems_confirms_a_replacement_and_gets_a_receipt(served, chromium, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, settings = served
    generate_demo_returns(tmp_path / "returns", site_count=6, years=(2024, 2025))  # the same returns the home was built from
    original = tmp_path / "returns" / "IPS0001_2025"
    bad = edited_return(original, tmp_path / "bad", break_two)
    fixed = edited_return(original, tmp_path / "fixed", add_a_participant)
    before = {r.return_id for r in archive.read_receipts(settings.archive_dir)}
    with sync_playwright() as p:
        b = browser(p, chromium)
        analyst = b.new_context(viewport={"width": 1400, "height": 1100}).new_page()  # a session of its own
        sign_in(analyst, base, "analytiker", PASSWORD)
        analyst.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        assert board_status(analyst, "IPS0001") == "godkänd"
        page = b.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        sign_in(page, base, "samordnare", PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        page.get_by_role("link", name="Lämna rapport").click()
        page.wait_for_selector("text=Årsrapportens filer", timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Mall: Excel").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        assert load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).sheetnames[:2] == ["verksamhet", "deltagare"]

        choose_files(page, bad)
        page.get_by_role("button", name="Kontrollera och skicka in").click()
        page.wait_for_selector("text=Rapport: XLSX", timeout=60_000)
        assert "AVVISAD / REJECTED" in page.inner_text("body")
        with page.expect_download() as download:
            page.get_by_role("button", name="Rapport: CSV").click()
        assert download.value.suggested_filename.startswith("IPS0001_2025_rejected_")
        report = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert report.startswith("verksamhet / site;IPS0001\n") and "beslut / verdict;avvisad / rejected" in report
        assert "Koden finns inte i kodlistan sex" in report and "Värdet saknas men är obligatoriskt" in report
        page.screenshot(path=str(SCREENSHOTS / "upload-rejected.png"), full_page=True)

        choose_files(page, fixed)
        page.get_by_role("button", name="Kontrollera och skicka in").click()
        page.wait_for_function("document.body.innerText.includes('tillkommer')", timeout=60_000)
        assert "1 deltagare tillkommer, 0 tas bort och 0 ändras." in page.inner_text("body")
        page.wait_for_selector("button:has-text('Bekräfta och ersätt')", timeout=60_000)
        page.wait_for_timeout(1000)  # the figures' table drawn
        page.screenshot(path=str(SCREENSHOTS / "upload-change-summary.png"), full_page=True)
        (proposed,) = [r for r in archive.read_receipts(settings.archive_dir) if r.return_id not in before and r.verdict == "accepted"]
        assert proposed.awaits_confirmation and proposed.decision is None
        assert board_status(analyst, "IPS0001") == "väntar på bekräftelse"

        participants = site_participants(settings)
        page.get_by_role("button", name="Bekräfta och ersätt").click()
        confirmed_at = time.monotonic()
        page.wait_for_selector(f"text={proposed.checksum}", timeout=60_000)  # the receipt
        assert proposed.return_id in page.inner_text("body") and "Kvitto" in page.inner_text("body")
        page.screenshot(path=str(SCREENSHOTS / "upload-receipt.png"), full_page=True)

        # no command typed: the Dagster daemon beside the dashboard refreshes the figures, and the site's page shows them
        page.get_by_role("link", name="Min verksamhet").click()
        while not shows_participants(page, participants + 1):
            assert time.monotonic() - confirmed_at < 300, "the new figures did not reach the dashboard: " + "".join(
                (settings.logs_dir / "dagster-daemon.log").read_text(encoding="utf-8").splitlines(keepends=True)[-15:])
            page.wait_for_timeout(2000)
            page.get_by_role("link", name="Översikt").click()  # away and back, as a person would (a reload is a new session)
            page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
            page.get_by_role("link", name="Min verksamhet").click()
        seconds = time.monotonic() - confirmed_at
        page.screenshot(path=str(SCREENSHOTS / "upload-figures-shown.png"), full_page=True)
        (OUTPUT / "upload-to-dashboard.json").write_text(json.dumps({"seconds_from_confirm_to_dashboard": round(seconds, 1)}))

        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Verksamhetsrapport (PDF)").click()
        assert download.value.suggested_filename == report_name("IPS0001", 2025)
        report_text = "\n".join(p.extract_text() for p in PdfReader(Path(download.value.path())).pages)
        assert report_text.startswith("Verksamhetsrapport 2025\n") and "IPS0001" in report_text
        enrolled = next(line for line in report_text.splitlines() if line.startswith("Antal deltagare "))
        assert enrolled.split()[2] == str(participants + 1)  # the site's own column, with the confirmed return's figures

        assert board_status(analyst, "IPS0001").startswith("godkänd (ersatt ")
        analyst.screenshot(path=str(SCREENSHOTS / "cycle-board-after-confirmation.png"), full_page=True)
        b.close()
    decided = archive.find(settings.archive_dir, proposed.return_id)
    assert decided.decision.confirmed and decided.decision.decided_by == "samordnare"
    assert archive.current_returns(archive.read_receipts(settings.archive_dir))[("IPS0001", 2025)].return_id == proposed.return_id
