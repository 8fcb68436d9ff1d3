"""Waiting for the warehouse: DuckDB lets one process at a time hold the file, and every run writes it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

# How long a run waits for another process to let go of the warehouse: a run killed alone leaves its dbt build running,
# until dbt next writes to it and dies of it (a moment, or the rest of a long query); another run may be ending.
WAREHOUSE_WAIT_SECONDS = 600
WAITING = "väntar: en annan process håller lagret / waiting: another process holds the warehouse"


def _on_screen(message: str) -> None:
    print(f"  {message}", file=sys.__stdout__, flush=True)


def held_by_another_process(error: duckdb.IOException) -> bool:
    """DuckDB's error on opening a file another process holds (its message names the lock)."""
    return "lock" in str(error)


def wait_for_the_warehouse(warehouse_path: Path, seconds: float = WAREHOUSE_WAIT_SECONDS,
                           say: Callable[[str], None] = _on_screen) -> None:
    """Until no other process holds the warehouse (at most ``seconds``), saying once that it waits; raises DuckDB's
    error if one still does."""
    deadline = time.monotonic() + seconds
    said = False
    while warehouse_path.exists():
        try:
            duckdb.connect(str(warehouse_path), read_only=True).close()
            return
        except duckdb.IOException as error:
            if not held_by_another_process(error) or time.monotonic() > deadline:
                raise
            if not said:
                say(WAITING)
                said = True
            time.sleep(0.5)
