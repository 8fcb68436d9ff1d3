"""The socio-economic estimate (SOCIO_*), counted by hand on returns built for it, with parameters of round numbers
loaded as the national function would (`ips-monitor reference load socioeconomic`).

Parameters: every monthly benefit 10 000 kr but försörjningsstöd 5 000; hourly wage 100 kr; default 40 hours a week;
income tax 0.30, benefit tax 0.25, employer cost factor 1.5, wage-subsidy share 0.8. 2025, income at intake → at
follow-up; a year of a benefit is 120 000 kr (försörjningsstöd 60 000), a new job's wage 52 × hours × 100 kr:

Site E (IPS0005, Stockholm, SE-AB):
- E1 sjukersättning → lön; works 20 h: benefits +120 000 (taxable), wage 104 000.
- E2 sjukpenning + försörjningsstöd → lönebidrag; its latest paid episode has no hours, so 40 h: benefits +180 000
  (taxable 120 000), wage 208 000, subsidised.
- E3 aktivitetsstöd → aktivitetsstöd + försörjningsstöd: benefits -60 000 (untaxed); no job.
- E4 lön + sjukpenning → lön: benefits +120 000 (taxable); lön at intake, so no new job.
- E5 sjukersättning → sjukersättning: no term at all. E6 has no income at follow-up: not counted.
- E7 a-kassa → lön; two episodes start the same day, 10 h and 25 h: the most hours, 25: benefits +120 000 (taxable),
  wage 130 000.
Site F (IPS0006, Uppsala, SE-C): F1 sjukpenning → lön, no episode, so 40 h: +120 000 (taxable), wage 208 000;
  F2 ingen → försörjningsstöd: -60 000.
Site G (IPS0007, Göteborg, SE-O): G1 sjukersättning → sjukersättning: nobody contributes.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.reference_tables import load_table
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from tests.conftest import run_pipeline
from tests.returns import diagnosis, episode, participant, site_row, write

PARAMETERS = """name,value,unit,year,source
monthly_sjukpenning,10000,SEK/month,2025,test
monthly_sjukersattning,10000,SEK/month,2025,test
monthly_aktivitetsersattning,10000,SEK/month,2025,test
monthly_rehabiliteringsersattning,10000,SEK/month,2025,test
monthly_aktivitetsstod,10000,SEK/month,2025,test
monthly_forsorjningsstod,5000,SEK/month,2025,test
monthly_a_kassa,10000,SEK/month,2025,test
hourly_wage,100,SEK/hour,2025,test
default_hours_per_week,40,hours,2025,test
income_tax_rate,0.3,fraction,2025,test
benefit_tax_rate,0.25,fraction,2025,test
employer_cost_factor,1.5,factor,2025,test
wage_subsidy_share,0.8,fraction,2025,test
"""


def site_return(site_id: str, municipality: str, people: dict[str, tuple[str, str | None]], episodes: list[dict]) -> dict:
    return {
        "verksamhet": [site_row(site_id, municipality, 1.0)],
        "deltagare": [participant(site_id, pid, "2025-01-15", income_at_intake=intake, income_at_followup=followup)
                      for pid, (intake, followup) in people.items()],
        "diagnoser": [diagnosis(site_id, pid) for pid in people],
        "aktiviteter": episodes,
    }


def hours(row: dict, value: float | None) -> dict:
    return {**row, "hours_per_week": value}


SITE_E = site_return("IPS0005", "0180", {
    "E1": ("sjukersattning", "lon"), "E2": ("sjukpenning|forsorjningsstod", "lonebidrag"),
    "E3": ("aktivitetsstod", "aktivitetsstod|forsorjningsstod"), "E4": ("lon|sjukpenning", "lon"),
    "E5": ("sjukersattning", "sjukersattning"), "E6": ("sjukersattning", None), "E7": ("a_kassa", "lon"),
}, [
    hours(episode("IPS0005", "E1", "konkurrensutsatt_arbete", "2025-03-01"), 20.0),
    hours(episode("IPS0005", "E2", "subventionerat_arbete", "2025-02-01"), 30.0),
    hours(episode("IPS0005", "E2", "subventionerat_arbete", "2025-05-01"), None),
    hours(episode("IPS0005", "E7", "konkurrensutsatt_arbete", "2025-04-01"), 10.0),
    hours(episode("IPS0005", "E7", "konkurrensutsatt_arbete", "2025-04-01"), 25.0),
])
SITE_F = site_return("IPS0006", "0380", {"F1": ("sjukpenning", "lon"), "F2": ("ingen", "forsorjningsstod")}, [])
SITE_G = site_return("IPS0007", "1480", {"G1": ("sjukersattning", "sjukersattning")}, [])


def build_home(settings, returns: Path, population: str | None = None):
    """The three sites' returns and the round parameters (and a population table, if given) loaded, and a run."""
    (returns / "parameters.csv").write_text(PARAMETERS, encoding="utf-8")
    assert load_table(settings, "socioeconomic", returns / "parameters.csv").problems == []
    if population is not None:
        (returns / "population.csv").write_text(population, encoding="utf-8")
        assert load_table(settings, "population", returns / "population.csv").problems == []
    for name, tables in {"e": SITE_E, "f": SITE_F, "g": SITE_G}.items():
        outcome = submit(write(tables, returns / name), settings)
        assert outcome.verdict == "accepted", outcome.problems
    run_pipeline(settings)
    return settings


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, dbt_manifest):
    return build_home(load_settings(tmp_path_factory.mktemp("socio-home")), tmp_path_factory.mktemp("socio-returns"))


def figures(settings, mart: str, ref_area: str) -> dict[str, tuple]:
    database = settings.published_path if mart.endswith("published") else settings.warehouse_path
    status = "conf_status" if mart.endswith("published") else "numerator"
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(f"select indicator_code, obs_value, {status} from {mart} where indicator_code like 'SOCIO%' "
                                  "and time_period = '2025' and ref_area = ? and breakdown <> 'site'", [ref_area]).fetchall()
    return {code: (value, extra) for code, value, extra in rows}


def test_the_estimate_counted_by_hand(warehouse):
    # the nation: benefits 480 000 (E) + 60 000 (F); wages of new jobs 104 000 + 208 000 + 130 000 + 208 000 = 650 000,
    # 208 000 of them subsidised; taxable benefits 480 000 + 120 000 = 600 000; 7 contributors (E1–E4, E7, F1, F2)
    # tax 0.30 × 650 000 - 0.25 × 600 000 = 45 000; production 1.5 × 650 000; subsidy 0.8 × 1.5 × 208 000
    assert figures(warehouse, "fct_indicator", "SE") == {
        "SOCIO_BENEFITS_SEK": (Decimal("540000.0"), Decimal("7.00")),
        "SOCIO_TAX_SEK": (Decimal("45000.0"), Decimal("7.00")),
        "SOCIO_PRODUCTION_SEK": (Decimal("975000.0"), Decimal("7.00")),
        "SOCIO_SUBSIDY_SEK": (Decimal("249600.0"), Decimal("7.00")),
        "SOCIO_NET_SEK": (Decimal("335400.0"), Decimal("7.00")),  # 540 000 + 45 000 - 249 600
    }
    # Stockholm, site E alone: tax 0.30 × 442 000 - 0.25 × 480 000 = 12 600; net 480 000 + 12 600 - 249 600
    stockholm = figures(warehouse, "fct_indicator", "SE-AB")
    assert stockholm["SOCIO_TAX_SEK"] == (Decimal("12600.0"), Decimal("5.00"))
    assert stockholm["SOCIO_NET_SEK"] == (Decimal("243000.0"), Decimal("5.00"))
    # Göteborg: nobody contributes; the figures are 0
    assert figures(warehouse, "fct_indicator", "SE-O")["SOCIO_NET_SEK"] == (Decimal("0.0"), Decimal("0.00"))


def test_the_estimate_is_protected(warehouse):
    published = figures(warehouse, "fct_indicator_published", "SE")
    assert published["SOCIO_NET_SEK"] == (Decimal("335400.0"), "F")
    # Uppsala rests on 2 contributors: all five withheld; Stockholm beside it, the smallest non-zero county, so that
    # the nation minus Göteborg's 0 does not give Uppsala away; Göteborg's 0 is published as 0
    assert set(figures(warehouse, "fct_indicator_published", "SE-C").values()) == {(None, "A")}
    assert set(figures(warehouse, "fct_indicator_published", "SE-AB").values()) == {(None, "D")}
    assert set(figures(warehouse, "fct_indicator_published", "SE-O").values()) == {(Decimal("0.0"), "F")}


def test_a_site_sees_its_own_estimate_unprotected(warehouse):
    with duckdb.connect(str(warehouse.site_level_path), read_only=True) as connection:
        rows = dict(connection.execute("select indicator_code, obs_value from fct_indicator_site where site_id = 'IPS0006' "
                                       "and indicator_code like 'SOCIO%' and time_period = '2025'").fetchall())
    # F: benefits 120 000 - 60 000; tax 0.30 × 208 000 - 0.25 × 120 000 = 32 400; production 1.5 × 208 000
    assert rows == {"SOCIO_BENEFITS_SEK": Decimal("60000.0"), "SOCIO_TAX_SEK": Decimal("32400.0"),
                    "SOCIO_PRODUCTION_SEK": Decimal("312000.0"), "SOCIO_SUBSIDY_SEK": Decimal("0.0"),
                    "SOCIO_NET_SEK": Decimal("92400.0")}


def test_the_parameters_in_effect_are_published_beside_the_figures(warehouse):
    with duckdb.connect(str(warehouse.published_path), read_only=True) as connection:
        parameters = dict(connection.execute("select name, value from socioeconomic_parameters").fetchall())
    assert parameters["hourly_wage"] == 100 and parameters["employer_cost_factor"] == 1.5 and len(parameters) == 13
