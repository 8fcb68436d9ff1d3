"""Load the accepted returns' typed tables from the archive into the warehouse's ``raw`` schema: the stale site-years
of the run's reporting years.

The partitions are reporting years, not site-years: Dagster's SQLite event log writes an event per asset and partition
when a run is planned and another when it materialises (it cannot store a set of partitions in one event), so a first
load of 300 sites' three years as site-year partitions wrote over 10,000 events and spent most of its time there
(docs/scaling.md). Within a year only the site-years whose returns changed are loaded, as before."""

from collections.abc import Iterator

import dagster as dg

from pipelines.defs.resources import SettingsResource
from pipelines.returns.accepted import RAW_TABLES, load_site_years, reporting_year_of, stale_site_years
from pipelines.warehouse_lock import wait_for_the_warehouse

# one partition per reporting year ("2025"), added as its first accepted return comes
REPORTING_YEARS_NAME = "reporting_years"
REPORTING_YEARS = dg.DynamicPartitionsDefinition(name=REPORTING_YEARS_NAME)


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", name], group_name="intake", kinds={"duckdb"},
                        description=f"Accepted returns: table {name}" if name != "returns" else
                        "One row per accepted return in the archive; is_current marks the newest per site and year")
           for name in RAW_TABLES],
    partitions_def=REPORTING_YEARS,
    backfill_policy=dg.BackfillPolicy.single_run(),  # a first load of every year is one run
    can_subset=False,
)
def raw_returns(context: dg.AssetExecutionContext, settings: SettingsResource) -> Iterator[dg.MaterializeResult]:
    """The accepted returns of the run's years' stale site-years, as checked when they were submitted (nothing is parsed
    or checked again), in place of the rows those site-years had; every other site-year's rows stay as they are."""
    config = settings.get()
    wait_for_the_warehouse(config.warehouse_path, say=context.log.info)
    years = set(context.partition_keys)
    stale = [key for key in stale_site_years(config.archive_dir, config.warehouse_path) if reporting_year_of(key) in years]
    loaded = load_site_years(config.archive_dir, config.warehouse_path, stale)
    for name, rows in loaded.items():
        yield dg.MaterializeResult(asset_key=["raw", name], metadata={"rows": rows, "site_years": len(stale)})
    context.log.info(f"Loaded {loaded['returns']} accepted returns of {len(stale)} site-years in {', '.join(sorted(years))}")
