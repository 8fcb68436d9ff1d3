"""Figures as a reader may receive them: the one way the dashboard reads the snapshots.

Each query runs in a database of its own, made for the reader: every reader sees the published
(protected) tables; an analyst also sees the site-level tables whole; a site reader gets copies of
the site-level tables holding its own rows only, and never the file they came from; a viewer gets no
site-level table at all. So a page cannot show what its reader may not receive, whatever its SQL says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.access.roles import Reader, Role
from pipelines.settings import Settings


@dataclass(frozen=True)
class Snapshots:
    """What the dashboard reads: the two snapshots, and the archive's receipts (for the analysts' follow-up)."""

    published: Path
    site_level: Path
    archive: Path

    @classmethod
    def of(cls, settings: Settings) -> Snapshots:
        return cls(settings.published_path, settings.site_level_path, settings.archive_dir)

    def version(self) -> tuple[float, float]:
        """Changes whenever a run swaps a snapshot in: what caches are keyed on."""
        published, site_level = (p.stat().st_mtime if p.exists() else 0.0 for p in (self.published, self.site_level))
        return published, site_level


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute("select table_name from information_schema.tables where table_catalog = ? order by 1", [catalog])
    return [name for (name,) in rows.fetchall()]


def _connect_for(reader: Reader, snapshots: Snapshots) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()  # in memory: what the reader may see, and nothing else
    connection.execute("attach ? as published (read_only)", [str(snapshots.published)])
    for name in _tables(connection, "published"):
        connection.execute(f'create view main."{name}" as select * from published.main."{name}"')
    if reader.role == Role.VIEWER or not snapshots.site_level.exists():
        return connection
    connection.execute("attach ? as site_level (read_only)", [str(snapshots.site_level)])
    for name in _tables(connection, "site_level"):
        if reader.role == Role.ANALYST:
            connection.execute(f'create view main."{name}" as select * from site_level.main."{name}"')
        else:
            connection.execute(f'create table main."{name}" as select * from site_level.main."{name}" where site_id = ?', [reader.site_id])
    if reader.role != Role.ANALYST:
        connection.execute("detach site_level")
    return connection


def query(snapshots: Snapshots, reader: Reader, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """``sql`` over the tables ``reader`` may receive (named as in the warehouse), read-only."""
    with _connect_for(reader, snapshots) as connection:
        frame = pl.from_arrow(connection.sql(sql, params=params or {}).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame
