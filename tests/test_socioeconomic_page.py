"""Samhällsekonomi: the socio-economic model estimate as each role receives it, page and queries, on the returns of
tests/test_socioeconomic_indicators.py, whose docstring counts every figure by hand. Also the county page's coverage
with a population table of several years (the warehouse's rule: the population of the period's year).

Expected, 2025 (kronor a year):
- Sweden: benefits 540 000, tax 45 000, production 975 000, subsidy 249 600, net 335 400.
- Stockholm (site E alone, 5 contributors): withheld (D) beside Uppsala; Uppsala (site F, 2 contributors): withheld (A);
  Västra Götaland (site G, nobody contributes): 0.
- Site F's own: benefits 60 000, tax 32 400, production 312 000, subsidy 0, net 92 400.
- Site E's own: benefits 480 000, tax 12 600, production 663 000 (1.5 × 442 000), subsidy 249 600, net 243 000.
Coverage: Stockholm's 7 participants over the population of 2025 loaded here (1 000 000; 2 000 000 in 2024): 0,7 per
100 000; Uppsala's 2 and Göteborg's 1 participants are withheld, and so their coverage.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import queries
from dashboards.language import Language
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.settings import HOME_ENV, SHIPPED_REFERENCE_DIR, load_settings
from tests.test_dashboard import ANALYST, PAGES, VIEWER
from tests.test_socioeconomic_indicators import build_home

SITE_F_READER = Reader("samordnare-f", Role.SITE, "IPS0006")
NAMES = queries.indicator_names()
NET, BENEFITS, SUBSIDY = NAMES["SOCIO_NET_SEK"], NAMES["SOCIO_BENEFITS_SEK"], NAMES["SOCIO_SUBSIDY_SEK"]
KR = "\u202f"  # the thousands separator of the Swedish number format


def population_of_two_years() -> str:
    """The shipped table's counties for 2024 and 2025, Stockholm's changed so that the year chosen shows."""
    shipped = (SHIPPED_REFERENCE_DIR / "county_population.csv").read_text(encoding="utf-8").splitlines()
    counties = [line.split(",") for line in shipped[1:]]
    rows = [f"{code},{year},{1_000_000 * (2026 - year) if code == '01' else population}"
            for year in (2024, 2025) for code, _, population in counties]
    return "\n".join(["county_code,year,population", *rows]) + "\n"


@pytest.fixture(scope="module")
def socio_home(tmp_path_factory, dbt_manifest):
    return build_home(load_settings(tmp_path_factory.mktemp("socio-page-home")), tmp_path_factory.mktemp("socio-page-returns"),
                      population_of_two_years())


@pytest.fixture
def socio_app(socio_home, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(socio_home.home))
    import streamlit as st

    st.cache_data.clear()


def page_as(reader: Reader, language: Language = Language.SV, page: str = "socioeconomic.py") -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.session_state["reader"] = reader
    at.session_state["language"] = language
    return at.run()


def kronor(amount: int) -> str:
    return f"{amount:,} kr".replace(",", KR)


def test_the_viewer_sees_the_estimate_for_the_nation_and_counties_as_a_model_estimate(socio_app):
    at = page_as(VIEWER)
    assert not at.exception and not at.error
    assert at.title[0].value == "Samhällsekonomi"
    assert "Modellskattning, inte en redovisning av faktiska utbetalningar" in at.info[0].value
    assert [s.label for s in at.selectbox] == ["År"]  # no site to choose
    assert len(at.dataframe) == 1 and len(at.table) == 1  # the estimate, and the parameter table
    estimate = at.dataframe[0].value.set_index("Område")
    assert list(estimate.index) == ["Hela Sverige", "Stockholms län", "Uppsala län", "Västra Götalands län"]
    # the net effect first, then its terms, then the production value
    assert estimate.columns.to_list() == [NAMES[code] for code in ("SOCIO_NET_SEK", "SOCIO_BENEFITS_SEK", "SOCIO_TAX_SEK",
                                                                   "SOCIO_SUBSIDY_SEK", "SOCIO_PRODUCTION_SEK")]
    assert estimate.loc["Hela Sverige"].to_list() == [kronor(335_400), kronor(540_000), kronor(45_000), kronor(249_600), kronor(975_000)]
    assert estimate.loc["Stockholms län"].to_list() == [queries.SUPPRESSED] * 5  # D: it protects Uppsala
    assert estimate.loc["Uppsala län"].to_list() == [queries.SUPPRESSED] * 5  # A: 2 contributors
    assert estimate.loc["Västra Götalands län"].to_list() == ["0 kr"] * 5  # nobody contributes: 0, published
    # the parameter table in effect, whole, in the method's order
    parameters = at.table[0].value
    assert parameters.columns.to_list() == ["Namn", "Värde", "Enhet", "År", "Källa"]
    assert len(parameters) == 13 and parameters.iloc[0].to_list() == ["monthly_sjukpenning", f"10{KR}000", "SEK/month", "2025", "test"]
    values = dict(zip(parameters["Namn"], parameters["Värde"]))
    assert (values["monthly_forsorjningsstod"], values["hourly_wage"], values["income_tax_rate"], values["employer_cost_factor"]) == (
        f"5{KR}000", "100", "0,3", "1,5")
    assert [b.label for b in at.get("download_button")] == ["XLSX", "CSV"] * 2  # both tables, to download


def test_the_page_in_english(socio_app):
    at = page_as(VIEWER, Language.EN)
    assert not at.exception
    assert at.title[0].value == "Socio-economic estimate"
    assert "Model estimate, not an accounting of actual payments" in at.info[0].value
    estimate = at.dataframe[0].value.set_index("Area")
    assert estimate.loc["Sweden", "Net effect on public finances (SEK a year, model estimate)"] == kronor(335_400)
    assert at.table[0].value.columns.to_list() == ["Name", "Value", "Unit", "Year", "Source"]


def test_a_site_sees_its_own_estimate_and_no_other(socio_app):
    at = page_as(SITE_F_READER)
    assert not at.exception and not at.error
    assert [s.label for s in at.selectbox] == ["År"]  # its own site, chosen for it
    assert "IPS test IPS0006 (Uppsala län), 2025" in [t.value for t in at.text]
    own = at.dataframe[1].value.set_index("Indikator")
    assert own.columns.to_list() == ["Verksamheten", "Länet", "Riket"]
    # unprotected its own; Uppsala withheld; the nation as published
    assert own.loc[BENEFITS].to_list() == [kronor(60_000), queries.SUPPRESSED, kronor(540_000)]
    assert own.loc[SUBSIDY].to_list() == ["0 kr", queries.SUPPRESSED, kronor(249_600)]
    assert own.loc[NET].to_list() == [kronor(92_400), queries.SUPPRESSED, kronor(335_400)]
    shown = {cell for df in at.dataframe for cell in df.value.to_numpy().ravel()}
    assert not shown & {kronor(480_000), kronor(243_000), kronor(12_600)}  # nothing of site E's own


def test_a_sites_estimate_is_refused_to_any_other_reader(socio_home):
    snapshots = Snapshots.of(socio_home)
    for reader, site in ((SITE_F_READER, "IPS0005"), (VIEWER, "IPS0006"), (Reader("samordnare-e", Role.SITE, "IPS0005"), "IPS0006")):
        with pytest.raises(AccessDenied):
            queries.site_socio(snapshots, reader, site, 2025)
    own = queries.site_socio(snapshots, SITE_F_READER, "IPS0006", 2025)
    assert own.equals(queries.site_socio(snapshots, ANALYST, "IPS0006", 2025))


def test_the_analyst_picks_any_site(socio_app):
    at = page_as(ANALYST)
    assert not at.exception and not at.error
    picker = at.selectbox(key="socio_site")
    assert picker.options == ["IPS test IPS0005 (Stockholms län)", "IPS test IPS0006 (Uppsala län)", "IPS test IPS0007 (Västra Götalands län)"]
    at = picker.select("IPS0005").run()
    site_e = at.dataframe[1].value.set_index("Indikator")
    assert site_e.loc[NET].to_list() == [kronor(243_000), queries.SUPPRESSED, kronor(335_400)]
    assert site_e.loc[NAMES["SOCIO_PRODUCTION_SEK"]].to_list() == [kronor(663_000), queries.SUPPRESSED, kronor(975_000)]


def test_coverage_uses_the_warehouse_figure_with_several_population_years(socio_home, socio_app):
    coverage = queries.county_coverage(Snapshots.of(socio_home), VIEWER, 2025)
    assert coverage.select("county", "per_100k", "per_100k_reported").rows() == [
        ("Stockholms län", 0.7, True), ("Uppsala län", None, True), ("Västra Götalands län", None, True)]
    at = page_as(VIEWER, page="county.py")
    assert not at.exception
    table = at.dataframe[0].value.set_index("Län")
    assert table["Deltagare per 100 000 invånare"].to_dict() == {
        "Stockholms län": "0,7", "Uppsala län": queries.SUPPRESSED, "Västra Götalands län": queries.SUPPRESSED}
