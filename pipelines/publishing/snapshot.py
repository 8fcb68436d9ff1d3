"""Snapshots: copies of tables of the pipeline's database that readers open, each swapped in whole after a good run.

What goes into each is said once, by a dbt tag (``dbt_project.yml``):

- ``published``: the disclosure-protected tables, for every reader, the exports included;
- ``site_level``: each site's own figures, unprotected, for the site itself and the national function.
  Every such table has a ``site_id`` column, by which a site reader's rows are filtered (``access``).

Readers never meet a lock or half a run: a snapshot is written beside the old one and renamed over it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

PUBLISHED_TAG = "published"
SITE_LEVEL_TAG = "site_level"


def tagged_relations(manifest_path: Path, tag: str) -> list[str]:
    """The names of the dbt models and seeds carrying ``tag``, from dbt's manifest."""
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(node["name"] for node in nodes if node["resource_type"] in ("model", "seed") and tag in node["tags"])


def published_relations(manifest_path: Path) -> list[str]:
    return tagged_relations(manifest_path, PUBLISHED_TAG)


def site_level_relations(manifest_path: Path) -> list[str]:
    return tagged_relations(manifest_path, SITE_LEVEL_TAG)


def write_snapshot(warehouse_path: Path, snapshot_path: Path, relations: list[str], required_column: str | None = None) -> None:
    """Copy ``relations`` from the pipeline's database into a new file, then swap it in atomically.
    With ``required_column``, every relation must have that column (or nothing is swapped in)."""
    snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = snapshot_path.with_name(f".{snapshot_path.name}.incoming")
    incoming.unlink(missing_ok=True)
    with duckdb.connect(str(incoming)) as connection:
        connection.execute("attach ? as pipeline_db (read_only)", [str(warehouse_path)])
        for name in relations:
            connection.execute(f"create table main.{name} as select * from pipeline_db.main.{name}")
            columns = [column for (column, *_) in connection.execute(f"describe main.{name}").fetchall()]
            if required_column is not None and required_column not in columns:
                raise ValueError(f"{name} has no {required_column} column, so its rows could not be filtered per reader")
        connection.execute("detach pipeline_db")
    os.replace(incoming, snapshot_path)


def record_published_returns(warehouse_path: Path, record_path: Path) -> None:
    """Which returns the figures just published rest on (the current one per site and year), written atomically."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        ids = sorted(row[0] for row in connection.execute("select return_id from main.int_current_returns").fetchall())
    incoming = record_path.with_name(f".{record_path.name}.incoming")
    incoming.write_text(json.dumps(ids, indent=1), encoding="utf-8")
    os.replace(incoming, record_path)


def published_returns(record_path: Path) -> set[str]:
    """The returns the published figures rest on; none before the first run."""
    return set(json.loads(record_path.read_text(encoding="utf-8"))) if record_path.exists() else set()
