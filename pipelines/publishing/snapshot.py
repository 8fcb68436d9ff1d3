"""The published snapshot: a database of the published tables only, swapped in whole after each good run.

What is published is said once, in dbt: every model and seed tagged ``published`` (``dbt_project.yml``).
Ministries, the public and every export read this file and nothing else, so they never meet a lock,
half a run, or a figure that is not protected.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

PUBLISHED_TAG = "published"


def published_relations(manifest_path: Path) -> list[str]:
    """The names of the dbt models and seeds tagged ``published``, from dbt's manifest."""
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(node["name"] for node in nodes if node["resource_type"] in ("model", "seed") and PUBLISHED_TAG in node["tags"])


def write_published_snapshot(warehouse_path: Path, published_path: Path, relations: list[str]) -> None:
    """Copy ``relations`` from the pipeline's database into a new file, then swap it in atomically."""
    published_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = published_path.with_name(f".{published_path.name}.incoming")
    incoming.unlink(missing_ok=True)
    with duckdb.connect(str(incoming)) as connection:
        connection.execute("attach ? as pipeline_db (read_only)", [str(warehouse_path)])
        for name in relations:
            connection.execute(f"create table main.{name} as select * from pipeline_db.main.{name}")
        connection.execute("detach pipeline_db")
    os.replace(incoming, published_path)
