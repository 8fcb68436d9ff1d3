"""A newer accepted return for the same site and year replaces the older one everywhere downstream."""

from __future__ import annotations

import copy

import duckdb

from pipelines.returns.archive import read_receipts
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from seeds.demo_returns import Dialect
from tests.conftest import run_pipeline
from tests.returns import diagnosis, participant, write
from tests.small_dataset import SITE_A, SITE_B


def test_corrected_return_replaces_the_first_in_every_figure(tmp_path, dbt_manifest):
    settings = load_settings(tmp_path / "home")
    corrected_b = copy.deepcopy(SITE_B)
    corrected_b["deltagare"].append(participant("IPS0002", "B11", "2025-12-01"))
    corrected_b["diagnoser"].append(diagnosis("IPS0002", "B11", "angest"))
    for name, tables in (("a", SITE_A), ("b-first", SITE_B), ("b-corrected", corrected_b)):
        assert submit(write(tables, tmp_path / name, Dialect()), settings).verdict == "accepted"
    run_pipeline(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        raw_returns = connection.execute("select count(*) from raw.returns where site_id = 'IPS0002'").fetchone()[0]
        participants = dict(connection.execute(
            "select ref_area, obs_value from fct_indicator where indicator_code = 'PARTICIPANTS' and time_period = '2025' "
            "and breakdown in ('total', 'area')").fetchall())
    assert raw_returns == 2  # both are kept...
    assert participants == {"SE": 23, "SE-AB": 12, "SE-C": 11}  # ...but only the newer one counts
    assert len(read_receipts(settings.archive_dir)) == 3
