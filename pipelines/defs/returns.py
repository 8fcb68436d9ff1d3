"""Load the accepted returns' typed tables from the archive into the warehouse's ``raw`` schema."""

from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.resources import SettingsResource
from pipelines.returns.accepted import accepted_receipts, current_return_ids, typed_tables
from schemas.tables import ROW, TABLES

RAW_TABLES = ("returns", *TABLES)


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
    # each table starts from its empty typed frame, so a table no return has (programtrohet) still gets its columns
    frames = {name: [table.empty_frame().drop(ROW).with_columns(pl.lit(None, pl.String).alias("return_id"))]
              for name, table in TABLES.items()}
    for receipt in receipts:
        for name, frame in typed_tables(config.archive_dir, receipt).items():
            frames[name].append(frame.with_columns(pl.lit(receipt.return_id).alias("return_id")))
    returns = pl.DataFrame(
        [(r.return_id, r.site_id, r.reporting_year, r.received_at, r.checksum, r.return_id in current) for r in receipts],
        schema={"return_id": pl.String, "site_id": pl.String, "reporting_year": pl.Int64, "received_at": pl.String,
                "checksum": pl.String, "is_current": pl.Boolean},
        orient="row",
    )
    tables = {"returns": returns, **{name: pl.concat(parts, how="vertical") for name, parts in frames.items()}}

    config.home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(config.warehouse_path)) as connection:
        connection.execute("begin transaction")
        connection.execute("create schema if not exists raw")
        for name, frame in tables.items():
            connection.register("incoming", frame.to_arrow())
            connection.execute(f"create or replace table raw.{name} as select * from incoming")
            connection.unregister("incoming")
        connection.execute("commit")

    for name, frame in tables.items():
        yield dg.MaterializeResult(asset_key=["raw", name], metadata={"rows": frame.height})
    context.log.info(f"Loaded {len(receipts)} accepted returns, {len(current)} of them current")
