"""The accepted returns a run loads: their typed tables as checked at submission, and which is current."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import polars as pl

from pipelines.returns import archive
from pipelines.returns.check import check_return
from pipelines.returns.reader import Submission, SubmittedFile
from schemas.tables import ROW, TABLES

RAW_TABLES = ("returns", *TABLES)


def accepted_receipts(archive_dir: Path) -> list[archive.Receipt]:
    """Every accepted return, oldest first, superseded ones too (the history is kept); not one still awaiting
    the site's confirmation, nor one it cancelled."""
    return [r for r in archive.read_receipts(archive_dir) if r.accepted_and_final]


def current_return_ids(receipts: list[archive.Receipt]) -> set[str]:
    return {r.return_id for r in archive.current_returns(receipts).values()}


def typed_tables(archive_dir: Path, receipt: archive.Receipt) -> dict[str, pl.DataFrame]:
    """The return's typed tables. An entry archived by version 0.1 has none yet: they are made once, by the
    same check as at submission, and added to the entry."""
    if not archive.has_typed_tables(archive_dir, receipt):
        folder = archive.files_dir(archive_dir, receipt)
        files = tuple(SubmittedFile(str(f["name"]), (folder / str(f["name"])).read_bytes()) for f in receipt.files)
        result = check_return(Submission(receipt.source_name, receipt.kind, files))
        if not result.accepted:
            raise ValueError(f"archive entry {receipt.return_id} was accepted but no longer passes the checks")
        archive.add_typed_tables(archive_dir, receipt, result.tables)
    return dict(archive.read_typed_tables(archive_dir, receipt))


def raw_tables(returns: Iterable[tuple[archive.Receipt, Mapping[str, pl.DataFrame]]], current: set[str]) -> dict[str, pl.DataFrame]:
    """What the warehouse's ``raw`` schema holds: a row per return (``is_current`` for the ids in ``current``) and
    each table of every return, with its return id."""
    # each table starts from its empty typed frame, so a table no return has (programtrohet) still gets its columns
    frames = {name: [table.empty_frame().drop(ROW).with_columns(pl.lit(None, pl.String).alias("return_id"))]
              for name, table in TABLES.items()}
    receipts = []
    for receipt, tables in returns:
        receipts.append(receipt)
        for name, frame in tables.items():
            frames[name].append(frame.with_columns(pl.lit(receipt.return_id).alias("return_id")))
    rows = pl.DataFrame(
        [(r.return_id, r.site_id, r.reporting_year, r.received_at, r.checksum, r.return_id in current) for r in receipts],
        schema={"return_id": pl.String, "site_id": pl.String, "reporting_year": pl.Int64, "received_at": pl.String,
                "checksum": pl.String, "is_current": pl.Boolean},
        orient="row",
    )
    return {"returns": rows, **{name: pl.concat(parts, how="vertical") for name, parts in frames.items()}}


def write_raw_tables(warehouse_path: Path, tables: Mapping[str, pl.DataFrame]) -> None:
    """Replace the ``raw`` schema's tables in one transaction."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path)) as connection:
        connection.execute("begin transaction")
        connection.execute("create schema if not exists raw")
        for name, frame in tables.items():
            connection.register("incoming", frame.to_arrow())
            connection.execute(f"create or replace table raw.{name} as select * from incoming")
            connection.unregister("incoming")
        connection.execute("commit")
