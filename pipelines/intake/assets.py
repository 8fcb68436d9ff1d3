"""Load every accepted return from the archive into the warehouse's ``raw`` schema."""

import dagster as dg
import duckdb
import polars as pl

from pipelines.intake import archive
from pipelines.intake.reader import Submission, SubmittedFile
from pipelines.intake.validate import empty_table, typed_tables
from pipelines.resources import DataHome
from schemas.tables import ROW, TABLES

RAW_TABLES = ("returns", *TABLES)


def _archived_submission(archive_dir, receipt: archive.Receipt) -> Submission:
    folder = archive.files_dir(archive_dir, receipt)
    files = tuple(SubmittedFile(f["name"], (folder / f["name"]).read_bytes()) for f in receipt.files)
    return Submission(receipt.source_name, receipt.kind, files)


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", name], group_name="intake", kinds={"duckdb"},
                        description=f"Accepted returns: table {name}" if name != "returns" else
                        "One row per accepted return in the archive") for name in RAW_TABLES],
    can_subset=False,
)
def raw_returns(context: dg.AssetExecutionContext, data_home: DataHome):
    """Re-reads each accepted return from the archive (unchanged files) and loads it typed."""
    settings = data_home.settings()
    receipts = [r for r in archive.read_receipts(settings.archive_dir) if r.verdict == "accepted"]
    # each table starts from its empty typed frame, so a table no return has (programtrohet) still gets its columns
    frames = {name: [empty_table(table).drop(ROW).with_columns(pl.lit(None, pl.String).alias("return_id"))]
              for name, table in TABLES.items()}
    for receipt in receipts:
        for name, frame in typed_tables(_archived_submission(settings.archive_dir, receipt)).items():
            frames[name].append(frame.drop(ROW).with_columns(pl.lit(receipt.return_id).alias("return_id")))
    returns = pl.DataFrame(
        [(r.return_id, r.site_id, r.reporting_year, r.received_at, r.checksum) for r in receipts],
        schema={"return_id": pl.String, "site_id": pl.String, "reporting_year": pl.Int64, "received_at": pl.String,
                "checksum": pl.String},
        orient="row",
    )
    tables = {"returns": returns, **{name: pl.concat(parts, how="vertical") for name, parts in frames.items()}}

    settings.home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("begin transaction")
        connection.execute("create schema if not exists raw")
        for name, frame in tables.items():
            connection.register("incoming", frame.to_arrow())
            connection.execute(f"create or replace table raw.{name} as select * from incoming")
            connection.unregister("incoming")
        connection.execute("commit")

    for name, frame in tables.items():
        yield dg.MaterializeResult(asset_key=["raw", name], metadata={"rows": frame.height})
    context.log.info(f"Loaded {len(receipts)} accepted returns")
