"""Reading the published snapshot: the protected tables, and nothing else, read-only.

Every reader of published figures comes through here: the dashboard, the export command and the
export asset. What is published is said once, by the dbt tag ``published`` (see ``snapshot``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from seeds.reference_data import indicators

TOTAL = "_T"
BREAKDOWNS = ("total", "area", "sex", "age", "diagnosis")

# A small fixed read of the one mart the exports use; the transformation itself is in dbt.
_OBSERVATIONS = """
    select freq, time_period, reporting_year, breakdown, ref_area, indicator_code, sex, age, diagnosis,
           obs_value, unit_measure, obs_status, conf_status
    from main.fct_indicator_published
    where $year is null or reporting_year = $year
"""


def read_published(database: Path, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """A query on the published snapshot, read-only."""
    with duckdb.connect(str(database), read_only=True) as connection:
        frame = pl.from_arrow(connection.sql(sql, params=params or {}).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def published_observations(database: Path, year: int | None = None) -> pl.DataFrame:
    """Every published observation, in a fixed order (so the same data gives the same file)."""
    frame = read_published(database, _OBSERVATIONS, {"year": year})
    indicator_order = {i.code: n for n, i in enumerate(indicators())}
    breakdown_order = {name: n for n, name in enumerate(BREAKDOWNS)}
    return (
        frame.with_columns(
            pl.col("indicator_code").replace_strict(indicator_order, return_dtype=pl.Int32).alias("_indicator"),
            pl.col("breakdown").replace_strict(breakdown_order, return_dtype=pl.Int32).alias("_breakdown"),
        )
        .sort(["_indicator", "freq", "time_period", "_breakdown", "ref_area", "sex", "age", "diagnosis"])
        .drop("_indicator", "_breakdown")
    )
