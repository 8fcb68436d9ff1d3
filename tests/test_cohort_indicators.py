"""JOB_12M_RATE, the first indicator that looks across years, counted by hand on returns of two sites over 2024–2025.

Site C (IPS0003, Stockholm, SE-AB) and site D (IPS0004, Uppsala, SE-C) each take in ten participants in 2024 (the
2024 cohort), C01–C10 and D01–D10, and keep them all enrolled through 2025. Competitive jobs (konkurrensutsatt arbete):
- C01–C04 start work in 2024 (C01's episode is reported again, still ongoing, in C's 2025 return: it counts once);
- C05 (intake 2024-03-01) starts on 2025-01-20, 325 days later: only C's 2025 return shows it;
- C06 (intake 2024-03-01) starts on 2025-05-01, 426 days later: too late;
- D01–D05 start work in 2024; D06 (intake 2024-02-01) starts on 2025-01-05, 339 days later, in D's 2025 return.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from tests.conftest import run_pipeline
from tests.returns import diagnosis, episode, participant, site_row, write

C, D = "IPS0003", "IPS0004"
JOB = "konkurrensutsatt_arbete"


def cohort_return(site_id: str, municipality: str, year: int, jobs: dict[str, str]) -> dict[str, list[dict]]:
    """The site's return for ``year``: its ten 2024 intakes, enrolled, with the competitive jobs it reports."""
    prefix = site_id[-1].replace("3", "C").replace("4", "D")
    ids = [f"{prefix}{n:02d}" for n in range(1, 11)]
    intakes = {pid: "2024-03-01" if pid in ("C05", "C06") else "2024-02-01" for pid in ids}
    return {
        "verksamhet": [site_row(site_id, municipality, 2.0, year=year)],
        "deltagare": [participant(site_id, pid, intakes[pid], year=year) for pid in ids],
        "diagnoser": [diagnosis(site_id, pid, "psykos", year=year) for pid in ids],
        "aktiviteter": [episode(site_id, pid, JOB, start, year=year) for pid, start in jobs.items()],
    }


C_2024_JOBS = {"C01": "2024-05-01", "C02": "2024-06-01", "C03": "2024-07-01", "C04": "2024-08-01"}
D_2024_JOBS = {f"D0{n}": f"2024-0{n + 3}-01" for n in range(1, 6)}


def rate(settings, ref_area: str = "SE") -> tuple[Decimal | None, str, str]:
    """The published 2024 JOB_12M_RATE of the area: value, observation status, confidentiality status."""
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        rows = connection.execute("select obs_value, obs_status, conf_status from fct_indicator_published where indicator_code = "
                                  "'JOB_12M_RATE' and time_period = '2024' and ref_area = ?", [ref_area]).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory, dbt_manifest):
    return load_settings(tmp_path_factory.mktemp("cohort-home")), tmp_path_factory.mktemp("cohort-returns")


def send(home, name: str, tables: dict[str, list[dict]]) -> None:
    settings, returns = home
    outcome = submit(write(tables, returns / name), settings)  # as `ips-monitor submit`: a later return replaces at once
    assert outcome.verdict == "accepted", outcome.problems


def test_the_cohort_rate_follows_later_returns_and_is_provisional_until_they_are_in(home):
    settings, _ = home
    send(home, "c2024", cohort_return(C, "0180", 2024, C_2024_JOBS))
    send(home, "c2025", cohort_return(C, "0180", 2025, {"C01": "2024-05-01", "C05": "2025-01-20", "C06": "2025-05-01"}))
    send(home, "d2024", cohort_return(D, "0380", 2024, D_2024_JOBS))
    run_pipeline(settings)
    # C: C01–C05 of 10 (C05 only through the 2025 return; C01 once though reported twice); D: D01–D05 of 10
    # the nation: 10 of 20 = 50.0, provisional: D has no 2025 return yet
    assert rate(settings) == (Decimal("50.0"), "P", "F")
    assert rate(settings, "SE-AB") == (Decimal("50.0"), "A", "F")  # C's 2025 return is in: final
    assert rate(settings, "SE-C") == (Decimal("50.0"), "P", "F")
    # the dashboard's Översikt says which cohort year is provisional
    from dashboards.queries import cohort_rates
    from pipelines.access.roles import Reader, Role
    from pipelines.publishing.access import Snapshots

    shown = cohort_rates(Snapshots.of(settings), Reader("ministeriet", Role.VIEWER)).rows()
    assert shown == [("2024", "50,0 %", "preliminär: nästa års rapporter saknas ännu")]
    sdmx = "\n".join(path.read_text(encoding="utf-8") for path in Path(settings.exports_dir).glob("*2024*.csv"))
    assert "A,SE,JOB_12M_RATE,_T,_T,_T,2024,50.0,PC,P,F" in sdmx  # the export says provisional too

    # C resubmits 2025 with C05's job starting on 2025-04-01: 396 days after intake, too late
    send(home, "c2025-again", cohort_return(C, "0180", 2025, {"C01": "2024-05-01", "C05": "2025-04-01", "C06": "2025-05-01"}))
    run_pipeline(settings)
    assert rate(settings) == (Decimal("45.0"), "P", "F")  # 4 + 5 of 20
    assert rate(settings, "SE-AB") == (None, "Q", "A")  # 4 of 10: a numerator of 1–4 is withheld

    # D's 2025 return arrives, with D06's job from 2025-01-05 (339 days): every site of the cohort has its next year
    send(home, "d2025", cohort_return(D, "0380", 2025, {"D06": "2025-01-05"}))
    run_pipeline(settings)
    assert rate(settings) == (Decimal("50.0"), "A", "F")  # 4 + 6 of 20, final
    assert rate(settings, "SE-C") == (None, "Q", "A")  # 6 of 10: 4 without a job is withheld too

