"""What a replacement return changes, for the site to see before it confirms: participants added, removed and
changed (which fields), and its main figures before and after.

The figures come from the warehouse's own dbt models, run on a scratch database that holds just the two returns,
so that a figure here is computed exactly as the published one is.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import polars as pl

from pipelines.returns import archive
from pipelines.returns.accepted import raw_tables, typed_tables, write_raw_tables
from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

MAIN_FIGURES = ("PARTICIPANTS", "EMP_COMP_RATE", "EMP_PAID_RATE", "FID_MEAN")
# a participant's rows in these tables count as one field each: "diagnoser" changed, not which row
PER_PARTICIPANT = ("diagnoser", "aktiviteter")
KEY = "participant_id"
BEFORE, AFTER = "before", "after"


@dataclass(frozen=True)
class ChangeSummary:
    added: list[str]  # participant ids
    removed: list[str]
    changed: dict[str, list[str]]  # participant id -> the fields that differ
    figures: dict[str, tuple[float | None, float | None]]  # indicator -> (in effect, proposed), the year's value


def participant_changes(before: Mapping[str, pl.DataFrame], after: Mapping[str, pl.DataFrame]
                        ) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Participants added, removed, and for those in both, which fields of deltagare differ (and whether their
    diagnoses or activities do)."""
    old, new = (_by_participant(tables) for tables in (before, after))
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    changed = {pid: fields for pid in sorted(old.keys() & new.keys())
               if (fields := [name for name, value in new[pid].items() if old[pid].get(name) != value])}
    return added, removed, changed


def _by_participant(tables: Mapping[str, pl.DataFrame]) -> dict[str, dict[str, object]]:
    """Participant id -> field -> value, with each of PER_PARTICIPANT as one field holding the sorted rows."""
    people = {row[KEY]: {k: v for k, v in row.items() if k not in ("site_id", "reporting_year", KEY)}
              for row in tables["deltagare"].iter_rows(named=True)}
    for table in PER_PARTICIPANT:
        frame = tables[table].drop("site_id", "reporting_year")
        for pid, rows in frame.group_by(KEY):
            if pid[0] in people:
                people[str(pid[0])][table] = sorted(map(str, rows.drop(KEY).rows()))
    return people


def main_figures(proposed: archive.Receipt, in_effect: archive.Receipt, archive_dir: Path) -> dict[str, tuple[float | None, float | None]]:
    """The year's main figures of the return in effect and of the proposed one, by the warehouse's dbt models."""
    returns = {BEFORE: in_effect, AFTER: proposed}
    with tempfile.TemporaryDirectory(prefix="change-summary-") as folder:
        scratch = Settings(Path(folder))
        # the two returns as two sites of their own, both current, so that dbt figures each by itself
        write_raw_tables(scratch.warehouse_path, raw_tables(
            ((replace(receipt, site_id=label), {name: frame.with_columns(pl.lit(label).alias("site_id"))
                                                for name, frame in typed_tables(archive_dir, receipt).items()})
             for label, receipt in returns.items()),
            current={receipt.return_id for receipt in returns.values()}))
        subprocess.run([DBT_EXECUTABLE, "build", "--quiet", "--select", "+fct_indicator", "--exclude-resource-type", "test", "unit_test",
                        "--profiles-dir", ".", "--target-path", str(scratch.dbt_target_dir), "--log-path", str(scratch.logs_dir),
                        "--vars", json.dumps(scratch.dbt_vars())], cwd=DBT_PROJECT_DIR, check=True, capture_output=True)
        with duckdb.connect(str(scratch.warehouse_path), read_only=True) as connection:
            rows = connection.execute("""
                select site_id, indicator_code, cast(obs_value as double) from main.fct_indicator
                where breakdown = 'site' and freq = 'A' and list_contains(?, indicator_code)
            """, [list(MAIN_FIGURES)]).fetchall()
    values = {(label, code): value for label, code, value in rows}
    return {code: (values.get((BEFORE, code)), values.get((AFTER, code))) for code in MAIN_FIGURES}


def change_summary(settings: Settings, proposed: archive.Receipt) -> ChangeSummary:
    """What ``proposed`` (awaiting the site's confirmation) changes against the return it would supersede."""
    if proposed.supersedes is None:
        raise ValueError(f"return {proposed.return_id} supersedes nothing")
    in_effect = archive.find(settings.archive_dir, proposed.supersedes)
    added, removed, changed = participant_changes(typed_tables(settings.archive_dir, in_effect),
                                                  typed_tables(settings.archive_dir, proposed))
    return ChangeSummary(added, removed, changed, main_figures(proposed, in_effect, settings.archive_dir))
