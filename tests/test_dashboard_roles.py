"""The served dashboard in Debian's Chromium, signed in as each role: what each sees, the year kept across pages.

Screenshots go to test-output/screenshots/ (not committed) to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.access.roles import Role
from pipelines.access.users import add_user
from pipelines.returns.accepted import typed_tables
from pipelines.returns.sites import register_from_return
from pipelines.returns.submit import submit
from pipelines.settings import PROJECT_ROOT, load_settings
from seeds.demo_returns import generate_demo_returns
from tests.conftest import run_pipeline
from tests.test_dashboard import PASSWORD, browser, serving, sign_in

SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
EVERYONE = (Role.VIEWER, Role.SITE, Role.ANALYST)
# link in the menu -> (screenshot name, the page's heading, the roles that have it)
PAGES = {
    "Översikt": ("oversikt", "IPS i Sverige", EVERYONE),
    "Regioner": ("regioner", "Regioner", EVERYONE),
    "Deltagare": ("deltagare", "Deltagare", EVERYONE),
    "Programtrohet": ("programtrohet", "Programtrohet", EVERYONE),
    "Samhällsekonomi": ("samhallsekonomi", "Samhällsekonomi", EVERYONE),
    "Lämna rapport": ("lamna-rapport", "Lämna årsrapport", (Role.SITE,)),
    "Min verksamhet": ("min-verksamhet", "Min verksamhet", (Role.SITE, Role.ANALYST)),
    "Verksamheter": ("verksamheter", "Verksamheter", (Role.ANALYST,)),
    "Datakvalitet": ("datakvalitet", "Datakvalitet", (Role.ANALYST,)),
    "Insamling": ("insamling", "Insamling", (Role.ANALYST,)),
    "Definitioner": ("definitioner", "Definitioner", EVERYONE),
}
USERS = {"ministeriet": (Role.VIEWER, None), "samordnare": (Role.SITE, "IPS0001"), "analytiker": (Role.ANALYST, None)}


@pytest.fixture(scope="module")
def served(tmp_path_factory, dbt_manifest):
    settings = load_settings(tmp_path_factory.mktemp("roles-home"))
    for path in generate_demo_returns(tmp_path_factory.mktemp("roles-returns"), site_count=6, years=(2024, 2025)):
        receipt = submit(path, settings).receipt
        assert receipt is not None and receipt.verdict == "accepted"
        register_from_return(settings, typed_tables(settings.archive_dir, receipt)["verksamhet"].row(0, named=True))  # as the CLI does
    run_pipeline(settings)
    for username, (role, site_id) in USERS.items():
        add_user(settings, username, role, PASSWORD, site_id)
    with serving(settings.home, dagster=True) as base:  # the upload test (test_upload_browser.py) needs the daemon
        yield base, settings


def body(page) -> str:
    return page.inner_text("body")


@pytest.mark.browser
def test_each_role_sees_its_own_pages(served, chromium):
    from playwright.sync_api import sync_playwright

    base, settings = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        site_names = dict(connection.execute("select site_id, site_name from dim_sites_published where reporting_year = 2025").fetchall())
    with sync_playwright() as p:
        b = browser(p, chromium)
        for username, (role, site_id) in USERS.items():
            page = b.new_page(viewport={"width": 1400, "height": 1200})
            sign_in(page, base, username, PASSWORD)
            page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
            nav = page.inner_text("[data-testid='stSidebarNav']")
            links = [line.strip() for line in nav.splitlines() if line.strip() in PAGES]
            assert links == [name for name, (_, _, roles) in PAGES.items() if role in roles], (username, links)
            for name in links:
                stem, heading, _ = PAGES[name]
                page.get_by_role("link", name=name).click()
                page.wait_for_function(f"document.querySelector('h1') && document.querySelector('h1').innerText.includes({heading!r})",
                                       timeout=60_000)
                page.wait_for_timeout(1500)  # charts drawn
                assert "Traceback" not in body(page) and not page.query_selector("[data-testid='stException']"), (username, name)
                page.screenshot(path=str(SCREENSHOTS / f"{username}-{stem}.png"), full_page=True)
            if role == Role.VIEWER:  # a table's figures, downloaded as a person would
                page.get_by_role("link", name="Deltagare").click()
                page.wait_for_selector("text=Diagnos (primär, enligt hierarkin)", timeout=60_000)
                with page.expect_download() as download:
                    page.locator("[data-testid='stDownloadButton'] button", has_text="CSV").first.click()
                content = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
                assert content[0] == "Grupp;Antal deltagare;Andel i konkurrensutsatt arbete (%);Andel med starkare arbetsmarknadsanknytning (%)", content[:2]
                assert len(content) == 1 + 9  # a row per diagnosis group
            if role == Role.SITE:
                page.get_by_role("link", name="Min verksamhet").click()
                page.wait_for_selector("text=Verksamhetens egna siffror", timeout=60_000)
                assert f"{site_names[site_id]} (" in body(page)
            page.close()
        b.close()


@pytest.mark.browser
def test_wrong_password_is_refused_with_a_clear_message(served, chromium):
    from playwright.sync_api import sync_playwright

    base, _ = served
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page()
        sign_in(page, base, "ministeriet", "fel-losenord-helt")
        page.wait_for_selector("text=Fel lösenord", timeout=60_000)
        assert "Wrong password" in body(page) and not page.query_selector("[data-testid='stMetric']")
        b.close()


@pytest.mark.browser
def test_year_is_kept_across_pages(served, chromium):
    from playwright.sync_api import sync_playwright

    base, _ = served
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        sign_in(page, base, "analytiker", PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").click()
        page.get_by_role("option", name="2024").click()
        page.wait_for_function("document.body.innerText.includes('IPS), 2024')", timeout=60_000)
        page.get_by_role("link", name="Programtrohet").click()
        page.wait_for_url("**/programtrohet")
        page.get_by_role("link", name="Översikt").click()
        page.wait_for_function("document.body.innerText.includes('IPS), 2024')", timeout=60_000)
        assert page.evaluate("document.documentElement.lang") == "sv"
        # English at the reader's choice, with the year still kept
        page.get_by_role("radio", name="English").click()
        page.wait_for_function("document.body.innerText.includes('Individual Placement and Support (IPS), 2024')", timeout=60_000)
        assert page.evaluate("document.documentElement.lang") == "en"
        page.get_by_role("link", name="Counties").click()
        page.wait_for_selector("text=Coverage and results by county", timeout=60_000)
        assert "Täckning" not in body(page)
        b.close()
