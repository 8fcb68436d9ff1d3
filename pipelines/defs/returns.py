"""Load the accepted returns' typed tables from the archive into the warehouse's ``raw`` schema, a site's year at a time."""

from collections.abc import Iterator

import dagster as dg

from pipelines.defs.resources import SettingsResource
from pipelines.returns.accepted import RAW_TABLES, load_site_years

# one partition per site and reporting year (IPS0042-2025), added as their first accepted return comes
SITE_YEARS_NAME = "site_years"
SITE_YEARS = dg.DynamicPartitionsDefinition(name=SITE_YEARS_NAME)


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", name], group_name="intake", kinds={"duckdb"},
                        description=f"Accepted returns: table {name}" if name != "returns" else
                        "One row per accepted return in the archive; is_current marks the newest per site and year")
           for name in RAW_TABLES],
    partitions_def=SITE_YEARS,
    backfill_policy=dg.BackfillPolicy.single_run(),  # a first load of every site-year is one run, not hundreds
    can_subset=False,
)
def raw_returns(context: dg.AssetExecutionContext, settings: SettingsResource) -> Iterator[dg.MaterializeResult]:
    """The accepted returns of the run's site-years, as checked when they were submitted (nothing is parsed or checked
    again), in place of the rows those site-years had; every other site-year's rows stay as they are."""
    config = settings.get()
    loaded = load_site_years(config.archive_dir, config.warehouse_path, context.partition_keys)
    for name, rows in loaded.items():
        yield dg.MaterializeResult(asset_key=["raw", name], metadata={"rows": rows})
    context.log.info(f"Loaded {loaded['returns']} accepted returns of {len(context.partition_keys)} site-years")
