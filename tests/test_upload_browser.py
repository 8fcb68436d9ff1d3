"""A site's upload in Debian's Chromium: the template, a bad return and its problems, a replacement with its change
summary, the confirmation and the receipt. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipelines.returns import archive
from seeds.demo_returns import generate_demo_returns
from tests.test_dashboard import PASSWORD, browser, sign_in
from tests.test_dashboard_roles import SCREENSHOTS, served  # noqa: F401 -- the served dashboard, a fixture


def edited_return(original: Path, target: Path, edit) -> list[str]:
    """A copy of a return folder with its deltagare rows edited; the paths of its files."""
    shutil.copytree(original, target)
    path = target / "deltagare.csv"
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    edit(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), dialect=dialect)
        writer.writeheader()
        writer.writerows(rows)
    return [str(p) for p in sorted(target.iterdir())]


def choose_files(page, paths: list[str]) -> None:
    """Choose the files and wait until every one is uploaded, as a person sees them listed under the field."""
    page.locator("input[type='file']").set_input_files(paths)
    page.wait_for_function(f"""document.querySelectorAll("[data-testid='stFileChipName']").length === {len(paths)}
        && !document.querySelector("[data-testid='stFileUploader'] [role='progressbar']")""", timeout=60_000)


def break_two(rows: list[dict]) -> None:
    rows[0]["sex"] = "kvinna"
    rows[1]["birth_year"] = ""


def change_education(rows: list[dict]) -> None:
    rows[0]["education"] = "hogskola" if rows[0]["education"] != "hogskola" else "gymnasium"


@pytest.mark.browser
def test_a_site_uploads_sees_its_problems_confirms_a_replacement_and_gets_a_receipt(served, chromium, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, settings = served
    generate_demo_returns(tmp_path / "returns", site_count=6, years=(2024, 2025))  # the same returns the home was built from
    original = tmp_path / "returns" / "IPS0001_2025"
    bad = edited_return(original, tmp_path / "bad", break_two)
    fixed = edited_return(original, tmp_path / "fixed", change_education)
    before = {r.return_id for r in archive.read_receipts(settings.archive_dir)}
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
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
        assert "0 deltagare tillkommer, 0 tas bort och 1 ändras." in page.inner_text("body")
        page.wait_for_selector("button:has-text('Bekräfta och ersätt')", timeout=60_000)
        page.wait_for_timeout(1000)  # the figures' table drawn
        page.screenshot(path=str(SCREENSHOTS / "upload-change-summary.png"), full_page=True)
        (proposed,) = [r for r in archive.read_receipts(settings.archive_dir) if r.return_id not in before and r.verdict == "accepted"]
        assert proposed.awaits_confirmation and proposed.decision is None

        page.get_by_role("button", name="Bekräfta och ersätt").click()
        page.wait_for_selector("text=Kvitto", timeout=60_000)
        assert proposed.return_id in page.inner_text("body") and proposed.checksum in page.inner_text("body")
        page.screenshot(path=str(SCREENSHOTS / "upload-receipt.png"), full_page=True)
        b.close()
    decided = archive.find(settings.archive_dir, proposed.return_id)
    assert decided.decision.confirmed and decided.decision.decided_by == "samordnare"
    assert archive.current_returns(archive.read_receipts(settings.archive_dir))[("IPS0001", 2025)].return_id == proposed.return_id
