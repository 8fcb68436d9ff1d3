"""The dashboard: query functions, each page under AppTest, and the served app in a real browser."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import queries
from dashboards.language import Language
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.serving import wait_until_serving
from pipelines.settings import DASHBOARD_APP, HOME_ENV

VIEWER = Reader("ministry", Role.VIEWER)
ANALYST = Reader("analyst", Role.ANALYST)

PAGES = DASHBOARD_APP.parent / "pages"


def test_headline_and_display(small_warehouse):
    figures = queries.headline(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert figures["PARTICIPANTS"] == (22.0, "F")
    assert queries.display_value(figures["EMP_COMP_RATE"][0], "EMP_COMP_RATE") == "40,9 %"
    assert queries.display_value(1234.0, "PARTICIPANTS") == "1\u202f234"
    assert queries.display_value(None, "EMP_COMP") == queries.SUPPRESSED
    assert queries.display_value(None, "FID_MEAN", reported=False) == "saknas"
    assert queries.display_value(None, "FID_MEAN", reported=False, language=Language.EN) == "none"


def test_display_of_the_v1_1_units():
    assert queries.display_value(1234567.0, "SOCIO_NET_SEK") == "1\u202f234\u202f567 kr"
    assert queries.display_value(-60000.0, "SOCIO_BENEFITS_SEK") == "-60\u202f000 kr"  # more benefits paid than before
    assert queries.display_value(0.0, "SOCIO_SUBSIDY_SEK") == "0 kr"
    # and back to numbers in the downloads, kronor as percentages
    from dashboards.downloads import cell_value

    assert cell_value("1\u202f234\u202f567 kr") == 1234567 and cell_value("-60\u202f000 kr") == -60000
    assert cell_value("40,9 %") == 40.9 and cell_value("IPS 1 kr") == "IPS 1 kr"
    assert queries.display_value(None, "SOCIO_TAX_SEK") == queries.SUPPRESSED
    assert queries.display_value(2.6989, "PARTICIPANTS_PER_100K") == "2,7"
    assert queries.display_value(None, "PARTICIPANTS_PER_100K", reported=False) == "saknas"
    assert queries.display_value(33.333, "JOB_12M_RATE") == "33,3 %"


def test_county_table_shows_suppressed_cells_as_dash(small_warehouse):
    table = queries.by_county(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert table["Län"].to_list() == ["Stockholms län", "Uppsala län"]
    uppsala = table.row(1, named=True)
    assert uppsala["Antal deltagare"] == "10"
    assert uppsala["Andel i konkurrensutsatt arbete (%)"] == queries.SUPPRESSED


def test_breakdown_by_sex_in_code_list_order(small_warehouse):
    table = queries.breakdown(Snapshots.of(small_warehouse), VIEWER, 2025, "sex")
    assert table["Grupp"].to_list() == ["Kvinna", "Man", "Annat / ej angivet"]
    assert table["Antal deltagare"].to_list() == ["12", queries.SUPPRESSED, queries.SUPPRESSED]


@pytest.fixture
def app_env(small_warehouse, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(small_warehouse.home))
    import streamlit as st

    st.cache_data.clear()


def page_as(page: str, reader: Reader = VIEWER, language: Language = Language.SV) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.session_state["reader"] = reader
    at.session_state["language"] = language
    return at.run()


def test_national_page(app_env):
    at = page_as("national.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Antal verksamheter": "2", "Antal deltagare": "22",
                       "Andel i konkurrensutsatt arbete (%)": "40,9 %", "Programtrohet (medelvärde)": "95,5"}


def test_county_page(app_env):
    at = page_as("county.py")
    assert not at.exception
    coverage = at.dataframe[0].value.set_index("Län")
    # the warehouse's PARTICIPANTS_PER_100K with the shipped population (2018): Stockholm 12 / 2 315 612, Uppsala 10 / 370 551
    assert coverage["Deltagare per 100 000 invånare"].to_dict() == {"Stockholms län": "0,5", "Uppsala län": "2,7"}
    assert coverage["Andel i konkurrensutsatt arbete (%)"].to_dict() == {"Stockholms län": queries.SUPPRESSED, "Uppsala län": queries.SUPPRESSED}
    assert at.selectbox(key="county").options == ["Stockholms län", "Uppsala län"]
    at.selectbox(key="county").select("Uppsala län").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Antal deltagare"] == "10" and metrics["Programtrohet (medelvärde)"] == "87,0"
    assert metrics["Andel i konkurrensutsatt arbete (%)"] == queries.SUPPRESSED


def test_empty_home_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    at = page_as("national.py")
    assert not at.exception
    assert "ips-monitor run" in at.info[0].value


def test_app_asks_for_sign_in_and_shows_nothing_else(app_env):
    at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=60).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Användarnamn", "Lösenord"]
    assert not at.metric and not at.dataframe


def test_english_at_the_readers_choice(app_env):
    """Swedish until the reader picks English, on the sign-in page and on every page after it."""
    at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=60).run()
    at.session_state["language"] = Language.EN
    at.run()
    assert [t.label for t in at.text_input] == ["User name", "Password"] and at.button[0].label == "Sign in"
    at = page_as("county.py", language=Language.EN)
    assert not at.exception
    assert at.title[0].value == "Counties"
    metrics = {m.label: m.value for m in at.metric}
    assert list(metrics) == ["Number of sites", "Participants", "Competitive employment rate (%)", "Mean fidelity score"]
    assert metrics["Participants"] == "12"  # Stockholms län, the first county: 22 in all less Uppsala's 10
    assert [df.value.columns[0] for df in at.dataframe] == ["County", "County"]
    assert all("Län" not in column for df in at.dataframe for column in df.value.columns)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(home: Path, dagster: bool = False) -> Iterator[str]:
    """The system of ``home`` served by ``ips-monitor serve`` on free ports: the dashboard, and with ``dagster`` the
    Dagster daemon and webserver beside it; yields the dashboard's address, and stops it all."""
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "ips-monitor"), "serve", "--port", str(port),
                               *(["--dagster-port", str(free_port())] if dagster else ["--without-dagster"]), "--home", str(home)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_serving(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


PASSWORD = "ett-langt-losenord-for-test"


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def browser(playwright, chromium):
    return playwright.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"])


@pytest.mark.browser
def test_served_dashboard_in_chromium(small_warehouse, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    from pipelines.access.users import add_user, find_user

    if find_user(small_warehouse, "ministeriet") is None:
        add_user(small_warehouse, "ministeriet", Role.VIEWER, PASSWORD)
    with serving(small_warehouse.home) as base, sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        sign_in(page, base, "ministeriet", PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        text = page.inner_text("body")
        assert "40,9 %" in text and "95,5" in text
        page.screenshot(path=str(tmp_path / "national.png"), full_page=True)
        page.get_by_role("link", name="Regioner").click()
        page.wait_for_url("**/regioner")
        page.wait_for_selector("text=Välj län", timeout=60_000)
        page.wait_for_function("document.body.innerText.includes('104,0')", timeout=60_000)
        body = page.inner_text("body")  # the first county, Stockholm: 12 participants, fidelity 104
        assert "Antal deltagare\n\n12" in body and "104,0" in body
        assert "– undertryckt" in body  # both counties' rates are withheld, marked as such and not drawn as zero bars
        b.close()


def test_fidelity_queries(small_warehouse):
    bands = queries.fidelity_bands(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert bands.rows() == [("Mycket god programtrohet (115–125)", 0), ("God programtrohet (100–114)", 1),
                            ("Delvis IPS (74–99)", 1), ("Inte IPS (≤ 73)", 0)]
    items = queries.fidelity_items(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert items.row(0) == ("Öppenhet om funktionsnedsättning", 3.5, 1)  # item 13, the first of the weakest
    relation = queries.fidelity_and_employment(Snapshots.of(small_warehouse), VIEWER, 2025)
    # A: 104 points, 6 of 12 in work = 50.0; B (87 points): 3 of 10 is withheld, so B is left out, unnamed
    assert relation.points.rows() == [(104, 50.0)] and relation.points.columns == ["fidelity_score", "emp_comp_rate"]
    assert (relation.sites_shown, relation.sites_withheld) == (1, 1)
    assert relation.correlation is None  # one point has no correlation


def test_time_in_programme_and_income_tables(small_warehouse):
    tenure = queries.time_in_programme(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert tenure.row(0) == ("Totalt", "22", "40,9 %")
    income = queries.income_sources(Snapshots.of(small_warehouse), VIEWER, 2025)
    lon = income.filter(Inkomstkälla="Lön").row(0)
    assert lon == ("Lön", queries.SUPPRESSED, queries.SUPPRESSED)  # 1 of 22 at intake; 2 of 3 at follow-up


def test_county_map_values_by_county_number(small_warehouse):
    values = queries.county_map_values(Snapshots.of(small_warehouse), VIEWER, 2025)
    assert values == {1: None, 3: None}  # Stockholm withheld to protect Uppsala's small count


@pytest.mark.parametrize("page", ["county.py", "fidelity.py", "participants.py", "definitions.py", "socioeconomic.py"])
def test_other_pages_render(app_env, page):
    at = page_as(page)
    assert not at.exception


@pytest.mark.parametrize("page", ["national.py", "county.py", "fidelity.py", "socioeconomic.py"])
def test_pages_after_a_run_with_no_accepted_returns(tmp_path, monkeypatch, page):
    import duckdb

    from pipelines.settings import load_settings

    published = load_settings(tmp_path).published_path
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as connection:
        connection.execute("create table fct_indicator_published (reporting_year integer)")
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    at = page_as(page)
    assert not at.exception
    assert "ips-monitor run" in at.info[0].value


SITE_A = Reader("samordnare-a", Role.SITE, "IPS0001")


def test_my_site_page_for_a_site_shows_its_own_figures_unprotected(app_env):
    at = page_as("my_site.py", SITE_A)
    assert not at.exception and not at.error
    assert [s.label for s in at.selectbox] == ["År"]  # a site sees its own, and chooses no site
    assert "Verksamhetsrapport (PDF)" in [b.label for b in at.get("download_button")]
    table = at.dataframe[0].value.set_index("Indikator")
    # site A: 12 participants, 6 of them in competitive work (50,0 %); Stockholm's county figures are A's own,
    # with the rate withheld (it protects Uppsala's 3); the nation: 22 and 9 of 22 = 40,9 %
    assert table.loc["Antal deltagare"].to_list() == ["12", "12", "22"]
    assert table.loc["Andel i konkurrensutsatt arbete (%)"].to_list() == ["50,0 %", queries.SUPPRESSED, "40,9 %"]


def test_my_site_page_refuses_another_site_asked_for_by_address(app_env):
    at = AppTest.from_file(str(PAGES / "my_site.py"), default_timeout=60)
    at.session_state["reader"] = SITE_A
    at.query_params["site"] = "IPS0002"
    at.run()
    assert not at.exception
    assert "You may not see that site's figures" in at.error[0].value
    assert not at.dataframe


def test_analyst_opens_any_site_by_address(app_env):
    at = AppTest.from_file(str(PAGES / "my_site.py"), default_timeout=60)
    at.session_state["reader"] = ANALYST
    at.query_params["site"] = "IPS0002"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Indikator")
    # site B: 10 participants, 3 in competitive work = 30,0 % (unprotected for the analyst); Uppsala withheld
    assert table.loc["Antal deltagare"].to_list() == ["10", "10", "22"]
    assert table.loc["Andel i konkurrensutsatt arbete (%)"].to_list() == ["30,0 %", queries.SUPPRESSED, "40,9 %"]


def test_my_site_page_is_not_for_viewers(app_env):
    at = page_as("my_site.py", VIEWER)
    assert not at.exception and at.error and not at.dataframe


def test_funnel_limits_around_the_national_rate():
    limits = queries.funnel_limits(40.0, 100).filter(participants=100)
    rows = {r["limit"]: (round(r["lower"], 2), round(r["upper"], 2)) for r in limits.iter_rows(named=True)}
    # 40 % of 100: standard error sqrt(0.4 × 0.6 / 100) = 4.899 points; z = 1.960 (95 %) and 3.090 (99.8 %)
    assert rows == {"95 %": (30.40, 49.60), "99,8 %": (24.86, 55.14)}
    tiny = queries.funnel_limits(40.0, 100).filter(participants=1)
    assert tiny.get_column("lower").min() == 0.0 and tiny.get_column("upper").max() == 100.0  # clipped to 0–100


@pytest.mark.parametrize("page", ["sites.py", "data_quality.py"])
def test_analyst_pages_for_the_analyst_only(app_env, page):
    at = page_as(page, ANALYST)
    assert not at.exception and not at.error and at.dataframe
    for reader in (VIEWER, SITE_A):
        refused = page_as(page, reader)
        assert not refused.exception and refused.error and not refused.dataframe


def test_sites_table_holds_each_sites_own_unprotected_figures(app_env):
    table = page_as("sites.py", ANALYST).dataframe[0].value.set_index("Id")
    # A: 12 participants, 6 in work = 50 %; B: 10 participants, 3 in work = 30 % (withheld in every published table)
    assert table.loc["IPS0001", "Antal deltagare"] == 12 and table.loc["IPS0001", "Andel i konkurrensutsatt arbete (%)"] == 50.0
    assert table.loc["IPS0002", "Antal deltagare"] == 10 and table.loc["IPS0002", "Andel i konkurrensutsatt arbete (%)"] == 30.0


def test_a_sites_fidelity_profile_beside_the_national_one(small_warehouse):
    profile = queries.site_fidelity_profile(Snapshots.of(small_warehouse), SITE_A, "IPS0001", 2025)
    # A's latest review: 104 = items 01–04 at 5, the rest 4; B's: 87 = items 01–12 at 4, the rest 3
    assert profile.height == 25
    first, thirteenth = profile.row(0), profile.row(12)
    assert (first[1], first[2]) == (5, 4.5) and (thirteenth[1], thirteenth[2]) == (4, 3.5)
    with pytest.raises(AccessDenied):
        queries.site_fidelity_profile(Snapshots.of(small_warehouse), SITE_A, "IPS0002", 2025)


def test_upload_page_is_for_sites_only(app_env):
    for reader in (VIEWER, ANALYST):
        at = page_as("upload.py", reader)
        assert not at.exception and "This page is for the sites" in at.error[0].value
        assert not at.get("file_uploader")
    at = page_as("upload.py", SITE_A)
    assert not at.exception and not at.error
    assert "IPS0001" in at.caption[0].value and at.get("file_uploader")
    assert [b.label for b in at.get("download_button")] == ["Mall: Excel", "Mall: CSV"]
