"""Load the accepted returns' typed tables from the archive into the warehouse's ``raw`` schema."""

from collections.abc import Iterator

import dagster as dg

from pipelines.defs.resources import SettingsResource
from pipelines.returns.accepted import RAW_TABLES, accepted_receipts, current_return_ids, raw_tables, typed_tables, write_raw_tables


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", name], group_name="intake", kinds={"duckdb"},
                        description=f"Accepted returns: table {name}" if name != "returns" else
                        "One row per accepted return in the archive; is_current marks the newest per site and year")
           for name in RAW_TABLES],
    can_subset=False,
)
def raw_returns(context: dg.AssetExecutionContext, settings: SettingsResource) -> Iterator[dg.MaterializeResult]:
    """Every accepted return's typed tables, as checked when it was submitted: nothing is parsed or checked again."""
    config = settings.get()
    receipts = accepted_receipts(config.archive_dir)
    current = current_return_ids(receipts)
    tables = raw_tables(((receipt, typed_tables(config.archive_dir, receipt)) for receipt in receipts), current)
    write_raw_tables(config.warehouse_path, tables)

    for name, frame in tables.items():
        yield dg.MaterializeResult(asset_key=["raw", name], metadata={"rows": frame.height})
    context.log.info(f"Loaded {len(receipts)} accepted returns, {len(current)} of them current")
