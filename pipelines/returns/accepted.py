"""The accepted returns a run loads: their typed tables as checked at submission, and which is current.

The warehouse's ``raw`` schema is loaded a site's year at a time: a site-year whose accepted returns in the archive
differ from those ``raw.returns`` holds is stale, and loading it replaces just its rows. The Dagster partitions are
the reporting years (``pipelines.defs.returns``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import duckdb
import polars as pl

from pipelines.returns import archive
from pipelines.returns.reader import Submission, SubmittedFile
from schemas.tables import ROW, TABLES

RAW_TABLES = ("returns", *TABLES)


def accepted_receipts(archive_dir: Path) -> list[archive.Receipt]:
    """Every accepted return, oldest first, superseded ones too (the history is kept); not one still awaiting
    the site's confirmation, nor one it cancelled."""
    return [r for r in archive.read_receipts(archive_dir) if r.accepted_and_final]


def current_return_ids(receipts: list[archive.Receipt]) -> set[str]:
    return {r.return_id for r in archive.current_returns(receipts).values()}


def site_year(site_id: str, reporting_year: int) -> str:
    """The key of a site's year: ``IPS0042-2025``."""
    return f"{site_id}-{reporting_year}"


def reporting_year_of(site_year_key: str) -> str:
    return site_year_key.rsplit("-", 1)[1]


def reporting_years(archive_dir: Path) -> list[str]:
    """Every reporting year with an accepted return, in the order they first came (the Dagster partitions' keys)."""
    return list(dict.fromkeys(str(r.reporting_year) for r in accepted_receipts(archive_dir)))


# what a site-year's rows in raw.returns must be: each accepted return's id, and whether it is the one in effect
LoadState = dict[str, frozenset[tuple[str, bool]]]


def _archive_state(receipts: list[archive.Receipt]) -> LoadState:
    current = current_return_ids(receipts)
    state: defaultdict[str, set[tuple[str, bool]]] = defaultdict(set)
    for r in receipts:
        state[site_year(str(r.site_id), int(str(r.reporting_year)))].add((r.return_id, r.return_id in current))
    return {key: frozenset(returns) for key, returns in state.items()}


def _warehouse_state(warehouse_path: Path) -> LoadState:
    """What ``raw`` holds now; nothing when it is missing or its tables are not those this version writes."""
    if not warehouse_path.exists():
        return {}
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        if not _raw_schema_is_current(connection):
            return {}
        rows = connection.execute("select site_id, reporting_year, return_id, is_current from raw.returns").fetchall()
    state: defaultdict[str, set[tuple[str, bool]]] = defaultdict(set)
    for site_id, reporting_year, return_id, is_current in rows:
        state[site_year(site_id, reporting_year)].add((return_id, is_current))
    return {key: frozenset(returns) for key, returns in state.items()}


def stale_site_years(archive_dir: Path, warehouse_path: Path) -> list[str]:
    """The site-years whose rows in the warehouse are not those of the archive's accepted returns: to be loaded."""
    in_archive, in_warehouse = _archive_state(accepted_receipts(archive_dir)), _warehouse_state(warehouse_path)
    return sorted(key for key in in_archive.keys() | in_warehouse.keys() if in_archive.get(key) != in_warehouse.get(key))


def typed_tables(archive_dir: Path, receipt: archive.Receipt) -> dict[str, pl.DataFrame]:
    """The return's typed tables (made first for an entry of version 0.1: ``ensure_typed_tables``)."""
    ensure_typed_tables(archive_dir, receipt)
    return dict(archive.read_typed_tables(archive_dir, receipt))


def ensure_typed_tables(archive_dir: Path, receipt: archive.Receipt) -> None:
    """An entry archived by version 0.1 has no typed tables yet: they are made once, by the same check as at
    submission, and added to the entry."""
    if archive.has_typed_tables(archive_dir, receipt):
        return
    from pipelines.returns.check import check_return  # the checks' Pandera, which a run otherwise does without

    folder = archive.files_dir(archive_dir, receipt)
    files = tuple(SubmittedFile(str(f["name"]), (folder / str(f["name"])).read_bytes()) for f in receipt.files)
    result = check_return(Submission(receipt.source_name, receipt.kind, files))
    if not result.accepted:
        raise ValueError(f"archive entry {receipt.return_id} was accepted but no longer passes the checks")
    archive.add_typed_tables(archive_dir, receipt, result.tables)


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
    return {"returns": _returns_rows(receipts, current), **{name: pl.concat(parts, how="vertical") for name, parts in frames.items()}}


def _returns_rows(receipts: Iterable[archive.Receipt], current: set[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(r.return_id, r.site_id, r.reporting_year, r.received_at, r.checksum, r.return_id in current) for r in receipts],
        schema={"return_id": pl.String, "site_id": pl.String, "reporting_year": pl.Int64, "received_at": pl.String,
                "checksum": pl.String, "is_current": pl.Boolean},
        orient="row",
    )


def load_site_years(archive_dir: Path, warehouse_path: Path, keys: Collection[str]) -> dict[str, int]:
    """Replace the ``raw`` rows of these site-years by those of their accepted returns, in one transaction (the
    tables made first if they are missing or of an older version); the rows loaded per table. DuckDB reads the
    returns' typed tables from the archive itself, all of a table's files in one query."""
    receipts = accepted_receipts(archive_dir)
    current = current_return_ids(receipts)
    chosen = [r for r in receipts if site_year(str(r.site_id), int(str(r.reporting_year))) in keys]
    for receipt in chosen:
        ensure_typed_tables(archive_dir, receipt)
    loading = pl.DataFrame([key.rsplit("-", 1) for key in keys], schema={"site_id": pl.String, "reporting_year": pl.String},
                           orient="row").with_columns(pl.col("reporting_year").cast(pl.Int64))
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    loaded = {}
    with duckdb.connect(str(warehouse_path)) as connection:
        connection.execute("begin transaction")
        if not _raw_schema_is_current(connection):
            _create_raw_tables(connection, raw_tables((), set()))
        connection.register("loading", loading.to_arrow())
        withdrawn = "select return_id from raw.returns join loading using (site_id, reporting_year)"
        for name in reversed(RAW_TABLES):  # raw.returns last: it says which rows the others' deletions take
            connection.execute(f"delete from raw.{name} where return_id in ({withdrawn})")
        returns = _returns_rows(chosen, current)
        connection.register("incoming", returns.to_arrow())
        connection.execute("insert into raw.returns by name select * from incoming")
        loaded["returns"] = returns.height
        for name in TABLES:
            loaded[name] = _insert_typed_tables(connection, name, [(r.return_id, archive.typed_table_path(archive_dir, r, name)) for r in chosen])
        connection.execute("commit")
    return loaded


def _insert_typed_tables(connection: duckdb.DuckDBPyConnection, name: str, files: list[tuple[str, Path]]) -> int:
    """Insert table ``name`` of each return (its id, its Parquet file) into ``raw``; the rows inserted."""
    if not files:
        return 0
    archived = pl.DataFrame({"return_id": [return_id for return_id, _ in files], "filename": [str(path) for _, path in files]})
    connection.register("archived", archived.to_arrow())
    (inserted,) = connection.execute(
        f"insert into raw.{name} by name select typed.* exclude (filename), archived.return_id "
        "from read_parquet($files, filename = true, union_by_name = true) as typed join archived using (filename)",
        {"files": archived.get_column("filename").to_list()}).fetchone() or (0,)
    connection.unregister("archived")
    return int(inserted)


def _raw_schema_is_current(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``raw`` has every table with the columns (names and types) this version writes."""
    expected = raw_tables((), set())
    for name, frame in expected.items():
        found = connection.execute("select column_name, data_type from information_schema.columns "
                                   "where table_schema = 'raw' and table_name = ? order by ordinal_position", [name]).fetchall()
        connection.register("expected", frame.to_arrow())
        wanted = [(column, kind) for column, kind, *_ in connection.execute("describe select * from expected").fetchall()]
        connection.unregister("expected")
        if found != wanted:
            return False
    return True


def _create_raw_tables(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    connection.execute("create schema if not exists raw")
    for name, frame in tables.items():
        connection.register("incoming", frame.to_arrow())
        connection.execute(f"create or replace table raw.{name} as select * from incoming")
        connection.unregister("incoming")


def write_raw_tables(warehouse_path: Path, tables: Mapping[str, pl.DataFrame]) -> None:
    """Replace the ``raw`` schema's tables in one transaction."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path)) as connection:
        connection.execute("begin transaction")
        _create_raw_tables(connection, tables)
        connection.execute("commit")
