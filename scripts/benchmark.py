"""Performance targets, measured: run `make benchmark` (medians of several runs on this machine).

- intake: validating one return of about 5,000 participants, target under 2 s;
- pipeline: `ips-monitor run` (load, dbt build with tests, snapshot, exports) on the demo data;
- dbt: `dbt build` (models and tests) on the demo data, target under 20 s, and what it costs on 10× and
  100× the demo data (the demo's raw tables copied under new site ids, so intake is not re-run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.defs.returns import RAW_TABLES
from pipelines.returns.check import check_return
from pipelines.returns.reader import load_submission
from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings
from seeds.demo_returns import generate_demo_returns

CLI = str(Path(sys.executable).parent / "ips-monitor")
DEMO_SITES = 40


def median_seconds(action, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def bench_intake(work: Path, runs: int) -> None:
    # One site, one year, with an intake rate that gives about 5,000 participants enrolled in 2025.
    (path,) = generate_demo_returns(work / "large", site_count=1, years=(2025,), intakes_per_year=2200)
    result = check_return(load_submission(path))
    participants = result.tables["deltagare"].height
    assert result.accepted, result.errors[:5]
    median, times = median_seconds(lambda: check_return(load_submission(path)), runs)
    print(f"intake: validate one return of {participants} participants: median {median:.2f} s "
          f"over {runs} runs ({', '.join(f'{t:.2f}' for t in times)}); target < 2 s")


def bench_pipeline(work: Path, runs: int) -> Path:
    home = work / "home-demo"
    paths = generate_demo_returns(work / "demo", site_count=DEMO_SITES)
    started = time.perf_counter()
    subprocess.run([CLI, "--home", str(home), "submit", *map(str, paths)], check=True, capture_output=True)
    submit_seconds = time.perf_counter() - started
    median, times = median_seconds(
        lambda: subprocess.run([CLI, "--home", str(home), "run"], check=True, capture_output=True), runs)
    print(f"pipeline on the demo data ({len(paths)} returns): submit all {submit_seconds:.1f} s; "
          f"`ips-monitor run` median {median:.1f} s over {runs} runs ({', '.join(f'{t:.1f}' for t in times)})")
    return home


def scale_raw_tables(demo_home: Path, home: Path, scale: int) -> int:
    """The demo's accepted returns copied `scale` times under new site ids; returns the participant rows."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        for table in RAW_TABLES:
            connection.execute(f"""
                create or replace table raw.{table} as
                select * replace (
                    return_id || '-' || copy as return_id,
                    'IPS' || lpad(cast(cast(substr(site_id, 4) as integer) + {DEMO_SITES} * copy as varchar), 4, '0') as site_id)
                from raw.{table}, range({scale}) as copies(copy)""")
        (participant_rows,) = connection.execute("select count(*) from raw.deltagare").fetchall()[0]
        return int(participant_rows)


def bench_dbt(demo_home: Path, work: Path, runs: int, scale: int) -> None:
    home = work / f"home-x{scale}"
    participant_rows = scale_raw_tables(demo_home, home, scale)
    command = [DBT_EXECUTABLE, "build", "--quiet", "--profiles-dir", ".", "--target-path", str(home / "dbt-target"),
               "--log-path", str(home / "dbt-logs"), "--vars", json.dumps(Settings(home).dbt_vars())]
    median, times = median_seconds(lambda: subprocess.run(command, cwd=DBT_PROJECT_DIR, check=True), runs)
    print(f"dbt build ×{scale} ({DEMO_SITES * scale} sites, {participant_rows} participant-year rows): median {median:.1f} s "
          f"over {runs} runs ({', '.join(f'{t:.1f}' for t in times)}); target at ×1 < 20 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100], help="multiples of the demo data for dbt build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        bench_intake(Path(work), args.runs)
        demo_home = bench_pipeline(Path(work), max(3, args.runs // 2))
        for scale in args.scales:
            bench_dbt(demo_home, Path(work), 3, scale)


if __name__ == "__main__":
    main()
