"""Performance targets, measured: run `make benchmark` (medians of several runs on this machine).

- intake: validating one return of about 5,000 participants, target under 2 s;
- pipeline: `ips-monitor run` (load, dbt build with tests, snapshot, exports) on the demo data;
- dbt: `dbt build` (models and tests) on the demo data, target under 20 s, and what it costs on 10× and
  100× the demo data (the demo's raw tables copied under new site ids, so intake is not re-run);
- pages: each dashboard page's render time in Chromium, signed in as the analyst (median of several visits), on the
  demo data (target under 1 s) and on 10× it (target under 2 s); `--pages-only` measures just this;
- cycle: in the served system (dashboard, Dagster daemon and webserver) on the demo data, the seconds from a site's
  confirmation of a replacement until the published figures rest on it, with no command typed; `--cycle-only`.
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

from pipelines.access.roles import Role
from pipelines.access.users import add_user, generate_password
from pipelines.publishing.snapshot import published_relations, published_returns, site_level_relations, write_snapshot
from pipelines.returns import archive
from pipelines.returns.accepted import RAW_TABLES
from pipelines.returns.check import check_return
from pipelines.returns.reader import load_submission
from pipelines.returns.submit import submit
from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, Settings
from seeds.demo_returns import dialect_for, generate_demo_returns

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


def published_home(demo_home: Path, home: Path, scale: int) -> Settings:
    """The demo's raw tables ×scale (as for dbt build above), built and published as a run does. The archive is the
    demo's own, copied: the data-quality page reads it, so that page is measured at ×1."""
    scale_raw_tables(demo_home, home, scale)
    settings = Settings(home)
    subprocess.run([DBT_EXECUTABLE, "build", "--quiet", "--profiles-dir", ".", "--target-path", str(settings.dbt_target_dir),
                    "--log-path", str(home / "dbt-logs"), "--vars", json.dumps(settings.dbt_vars())], cwd=DBT_PROJECT_DIR, check=True)
    manifest = settings.dbt_target_dir / "manifest.json"
    write_snapshot(settings.warehouse_path, settings.published_path, published_relations(manifest))
    write_snapshot(settings.warehouse_path, settings.site_level_path, site_level_relations(manifest), required_column="site_id")
    shutil.copytree(demo_home / "archive", settings.archive_dir)
    return settings


def bench_pages(demo_home: Path, work: Path, visits: int) -> None:
    """Each page's render time as the browser test measures it (tests/page_timing.py), at the demo's size and ×10."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("pages: skipped, Chromium is missing (`make browser` installs it)")
        return
    sys.path.insert(0, str(PROJECT_ROOT))  # the page timing and its browser helpers are the browser tests'
    from tests.page_timing import analyst_page_times, medians
    from tests.test_dashboard import serving

    sizes = [(1, 1.0, Settings(demo_home)), (10, 2.0, published_home(demo_home, work / "home-pages-x10", 10))]
    for scale, target, settings in sizes:
        password = generate_password()
        add_user(settings, "analytiker", Role.ANALYST, password)
        with serving(settings.home) as base:
            figures = medians(analyst_page_times(base, chromium, "analytiker", password, visits))
        print(f"pages ×{scale} ({DEMO_SITES * scale} sites): render time in Chromium, median of {visits} visits "
              f"(first visit); target < {target:.0f} s")
        for name, times in figures.items():
            verdict = "ok" if times["median_s"] < target else "OVER TARGET"
            print(f"  {name:<15} {times['median_s']:.2f} s ({times['first_visit_s']:.2f} s)  {verdict}")


def bench_cycle(demo_home: Path, work: Path, runs: int) -> None:
    """Replacements confirmed one after another by different sites, as the upload page does (``submit`` bound to the
    site, then ``archive.decide``), each timed until ``published/returns.json`` names it: what the dashboard reads next."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.test_dashboard import serving
    from tests.test_upload_browser import add_a_participant, edited_return

    settings = Settings(demo_home)
    times = []
    with serving(settings.home, dagster=True):
        time.sleep(10)  # the daemon's first sensor evaluation, which finds nothing to do
        # the sites whose returns are written as IPS0001's (UTF-8 CSV folders), which the browser test's edit reads
        like_the_first = [p for p in sorted((work / "demo").glob("IPS*_2025")) if dialect_for(int(p.name[3:7])) == dialect_for(1)]
        for run, original in enumerate(like_the_first[:runs]):
            site_id = original.name.split("_")[0]
            replacement = edited_return(original, work / f"replacement-{run}", add_a_participant)
            outcome = submit(Path(replacement[0]).parent, settings, uploaded_by_site=site_id)
            assert outcome.receipt is not None and outcome.awaits_confirmation, outcome.verdict
            archive.decide(settings.archive_dir, outcome.receipt.return_id, confirmed=True, by="benchmark")
            confirmed = time.perf_counter()
            while outcome.receipt.return_id not in published_returns(settings.published_returns_path):
                assert time.perf_counter() - confirmed < 600, "the figures were not refreshed within 10 minutes"
                time.sleep(0.5)
            times.append(time.perf_counter() - confirmed)
    print(f"cycle: confirmed replacement → published figures, served with the Dagster daemon ({DEMO_SITES} sites): "
          f"median {statistics.median(times):.1f} s over {runs} ({', '.join(f'{t:.1f}' for t in times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100], help="multiples of the demo data for dbt build")
    parser.add_argument("--visits", type=int, default=5, help="visits of each dashboard page for its render time")
    parser.add_argument("--pages-only", action="store_true", help="only the pages' render times (demo and 10× the demo)")
    parser.add_argument("--cycle-only", action="store_true", help="only the seconds from a confirmed upload to published figures")
    args = parser.parse_args()
    everything = not (args.pages_only or args.cycle_only)
    with tempfile.TemporaryDirectory() as work:
        if everything:
            bench_intake(Path(work), args.runs)
        demo_home = bench_pipeline(Path(work), max(3, args.runs // 2) if everything else 1)
        for scale in args.scales if everything else []:
            bench_dbt(demo_home, Path(work), 3, scale)
        if not args.cycle_only:
            bench_pages(demo_home, Path(work), args.visits)
        if not args.pages_only:
            bench_cycle(demo_home, Path(work), args.runs)


if __name__ == "__main__":
    main()
