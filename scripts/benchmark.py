"""What the pipeline costs at a scale, measured: `make benchmark` (`--scale K`, medians of `--runs` runs).

Scale 1 is Sweden at full coverage: 300 sites and about 15,000 participants in a year (`seeds/demo_returns.py`).
One table, printed and written to `--out`: `submit` of every return in one command, one large return, `ips-monitor run`
on the whole archive split by stage, one site's resubmission until the published figures rest on it, each dashboard
page's queries, and the floor: one hand-written DuckDB query over the same rows as plain CSV files, computing the
national and county participants and competitive employment rates, annual and quarterly. The targets are issue 13's.
`--cycle` adds the served system's cycle (Dagster daemon, no command typed) at the chosen scale.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import PROJECT_ROOT, Settings, load_settings
from seeds.demo_returns import Dialect, generate_demo_returns, generate_scaled_returns

CLI = str(Path(sys.executable).parent / "ips-monitor")
STAGE_LINE = re.compile(r"klar / done: (?P<stage>.+) \((?P<seconds>[0-9.]+) s\)")
# the run's stages as `ips-monitor run` prints them (pipelines/defs/loggers.py), in the table's columns
STAGES = {"accepted returns loaded": "loading", "models and tests": "dbt build", "published figures": "snapshots",
          "each site's own figures": "snapshots", "SDMX-CSV": "exports"}


@dataclass(frozen=True)
class Row:
    measure: str
    value: str
    target: str = ""
    met: bool | None = None

    def markdown(self) -> str:
        verdict = "" if self.met is None else ("yes" if self.met else "**no**")
        return f"| {self.measure} | {self.value} | {self.target} | {verdict} |"


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    output: str


def measured(command: list[str]) -> Measured:
    """Run a command; its wall time, its peak memory and its output. The peak is the largest sum of the resident memory
    of the command and its children (dbt), sampled every 50 ms: the kernel's own high-water mark of a child counts the
    memory of this process, which the child was spawned from."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_kb = [0]
    watcher = threading.Thread(target=_watch_memory, args=(process, peak_kb), daemon=True)
    watcher.start()
    output = process.stdout.read() if process.stdout else ""
    process.wait()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode not in (0, 1):  # 1: some return was rejected, which a benchmark may meet
        raise RuntimeError(f"{' '.join(command[:4])} … exited {process.returncode}:\n{output[-3000:]}")
    return Measured(seconds, peak_kb[0] / 1024, output)


def _watch_memory(process: subprocess.Popen[str], peak_kb: list[int]) -> None:
    while process.poll() is None:
        peak_kb[0] = max(peak_kb[0], sum(_resident_kb(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.05)


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for parent in pids:  # grows as children are found
        with contextlib.suppress(OSError):  # it ended meanwhile
            pids += [int(child) for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    return pids


def _resident_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def median(values: list[float]) -> float:
    return statistics.median(values)


def fresh_home(work: Path, name: str, archive_of: Settings | None = None) -> Settings:
    """An empty data home; with ``archive_of``, holding that home's archive and site register (nothing else)."""
    home = work / name
    shutil.rmtree(home, ignore_errors=True)
    settings = load_settings(home)
    if archive_of is not None:
        shutil.copytree(archive_of.archive_dir, settings.archive_dir)
        shutil.copyfile(archive_of.sites_path, settings.sites_path)
    return settings


def participant_years(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        (count,) = connection.execute("select count(*) from raw.deltagare join raw.returns using (return_id) "
                                      "where is_current").fetchone() or (0,)
    return int(count)


def bench_submit(work: Path, returns: list[Path], participants: int, runs: int) -> tuple[Settings, list[Row]]:
    times, peaks = [], []
    for run in range(runs):
        settings = fresh_home(work, f"submitted-{run}")
        result = measured([CLI, "--home", str(settings.home), "submit", *map(str, returns)])
        times.append(result.seconds)
        peaks.append(result.peak_mb)
    return settings, [
        Row(f"`submit`, {len(returns)} returns ({participants:,} participants) in one command",
            f"{median(times):.1f} s ({len(returns) / median(times):.0f} returns/s, {participants / median(times):,.0f} participants/s)",
            "≤ 15 s for 320 returns", median(times) * 320 / len(returns) <= 15 if len(returns) >= 300 else None),
        Row("`submit`, peak memory", f"{median(peaks):.0f} MB"),
    ]


def bench_large_return(work: Path, runs: int) -> list[Row]:
    """One site's return of about 49,000 participants, submitted in this process (no interpreter start-up)."""
    from pipelines.returns import archive
    from pipelines.returns.submit import submit

    (path,) = generate_demo_returns(work / "large", site_count=1, years=(2025,), intakes_per_year=15000)
    times, participants = [], 0
    for run in range(runs):
        settings = fresh_home(work, f"large-{run}")
        started = time.perf_counter()
        outcome = submit(path, settings)
        times.append(time.perf_counter() - started)
        assert outcome.receipt is not None and outcome.ok, outcome.problems[:3]
        participants = dict(archive.read_typed_tables(settings.archive_dir, outcome.receipt))["deltagare"].height
    rate = participants / median(times)
    return [Row(f"intake of one large return ({participants:,} participants)", f"{median(times):.2f} s ({rate:,.0f} participants/s)",
                "≥ 50,000 participants/s", rate >= 50_000)]


def run_stages(output: str) -> dict[str, float]:
    stages: dict[str, float] = {}
    for match in STAGE_LINE.finditer(output):
        column = next(column for name, column in STAGES.items() if match["stage"].endswith(name))
        stages[column] = stages.get(column, 0.0) + float(match["seconds"])
    return stages


def bench_run(work: Path, submitted: Settings, runs: int, scale: float) -> tuple[Settings, list[Row]]:
    """`ips-monitor run` from an empty warehouse (the archive and register copied into a fresh home each time), then
    once more with nothing changed."""
    totals, peaks, stages = [], [], []
    for run in range(runs):
        settings = fresh_home(work, f"run-{run}", archive_of=submitted)
        result = measured([CLI, "--home", str(settings.home), "run"])
        totals.append(result.seconds)
        peaks.append(result.peak_mb)
        stages.append(run_stages(result.output))
    again = [measured([CLI, "--home", str(settings.home), "run"]).seconds for _ in range(runs)]
    by_stage = {column: median([s.get(column, 0.0) for s in stages]) for column in ("loading", "dbt build", "snapshots", "exports")}
    start_up = median([total - sum(s.values()) for total, s in zip(totals, stages, strict=True)])
    target = {1: 15.0, 10: 30.0, 100: 300.0}.get(int(scale)) if scale >= 1 else None
    rows = [
        Row(f"`run` from an empty warehouse ({participant_years(settings):,} participant-years)", f"{median(totals):.1f} s",
            f"≤ {target:.0f} s" if target else "", median(totals) <= target if target else None),
        Row("`run`: start-up", f"{start_up:.1f} s", "≤ 5 s", start_up <= 5),
        *(Row(f"`run`: {column}", f"{seconds:.1f} s") for column, seconds in by_stage.items()),
        Row("`run`, peak memory", f"{median(peaks):.0f} MB", "≤ 4 GB at scale 100", median(peaks) <= 4096 if scale >= 100 else None),
        Row("`run` again, nothing changed", f"{median(again):.1f} s"),
    ]
    return settings, rows


def edited_return(plain_returns: Path, site_id: str, year: int, target: Path) -> Path:
    """The site's return as plain CSV with its specialists' full-time equivalents changed: a new, valid return."""
    shutil.copytree(plain_returns / f"{site_id}_{year}", target)
    site_file = target / "verksamhet.csv"
    with site_file.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    row["specialist_fte"] = f"{float(row['specialist_fte']) + 0.5:g}"
    with site_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return target


def bench_resubmission(work: Path, settings: Settings, plain_returns: Path, year: int, runs: int, scale: float) -> list[Row]:
    """One site sends a changed return; the seconds from `submit` until `run` has published figures resting on it."""
    from pipelines.publishing.snapshot import published_returns
    from pipelines.returns import archive

    times = []
    for run in range(runs):
        site_id = f"IPS{run + 1:04d}"
        replacement = edited_return(plain_returns, site_id, year, work / f"replacement-{run}")
        started = time.perf_counter()
        measured([CLI, "--home", str(settings.home), "submit", str(replacement)])
        measured([CLI, "--home", str(settings.home), "run"])
        times.append(time.perf_counter() - started)
        newest = archive.current_returns(archive.read_receipts(settings.archive_dir))[(site_id, year)]
        assert newest.source_name == replacement.name and newest.return_id in published_returns(settings.published_returns_path)
    return [Row("one site's resubmission → published figures (`submit` + `run`)", f"{median(times):.1f} s", "≤ 10 s at scale 1",
                median(times) <= 10 if scale == 1 else None)]


def page_queries(settings: Settings) -> dict[str, Callable[[], object]]:
    """Each dashboard page's queries, as an analyst sees the page for the latest year (a site's pages: the first site)."""
    from dashboards import queries
    from pipelines.access.roles import Reader, Role
    from pipelines.publishing.access import Snapshots

    snapshots, reader = Snapshots.of(settings), Reader("benchmark", Role.ANALYST)
    year = max(queries.years(snapshots, reader))
    site = next(iter(queries.site_choices(snapshots, reader, year)))

    def all_of(*calls: Callable[[], object]) -> Callable[[], object]:
        return lambda: [call() for call in calls]

    return {
        "Översikt": all_of(lambda: queries.trend(snapshots, reader, "EMP_COMP_RATE"), lambda: queries.cohort_rates(snapshots, reader),
                           lambda: queries.data_date(snapshots, reader, year), lambda: queries.headline(snapshots, reader, year)),
        "Regioner": all_of(lambda: queries.by_county(snapshots, reader, year), lambda: queries.county_map_values(snapshots, reader, year),
                           lambda: queries.coverage_table(snapshots, reader, year)),
        "Deltagare": all_of(*(lambda d=d: queries.breakdown(snapshots, reader, year, d) for d in ("sex", "age", "diagnosis")),
                            lambda: queries.time_in_programme(snapshots, reader, year), lambda: queries.income_sources(snapshots, reader, year)),
        "Programtrohet": all_of(lambda: queries.fidelity_bands(snapshots, reader, year), lambda: queries.fidelity_items(snapshots, reader, year),
                                lambda: queries.fidelity_and_employment(snapshots, reader, year)),
        "Samhällsekonomi": all_of(lambda: queries.socio_estimate(snapshots, reader, year), lambda: queries.socio_parameters(snapshots, reader),
                                  lambda: queries.site_socio(snapshots, reader, site, year)),
        "Min verksamhet": all_of(lambda: queries.site_choices(snapshots, reader, year), lambda: queries.site_figures(snapshots, reader, site, year),
                                 lambda: queries.site_trend(snapshots, reader, site), lambda: queries.site_fidelity_profile(snapshots, reader, site, year),
                                 lambda: queries.funnel(snapshots, reader, year)),
        "Verksamheter": all_of(lambda: queries.all_sites(snapshots, reader, year), lambda: queries.funnel(snapshots, reader, year)),
        "Datakvalitet": all_of(lambda: queries.returns_register(snapshots, reader, year), lambda: queries.rules_broken(snapshots, reader, year),
                               lambda: queries.completeness(snapshots, reader, year)),
        "Definitioner": lambda: queries.indicator_definitions(),
    }


def bench_pages(settings: Settings, repetitions: int, scale: float) -> list[Row]:
    rows = []
    for page, load in page_queries(settings).items():
        times = []
        for _ in range(repetitions):
            started = time.perf_counter()
            load()
            times.append(time.perf_counter() - started)
        rows.append(Row(f"page *{page}*: its queries (median, worst of {repetitions})", f"{median(times):.3f} s, {max(times):.3f} s",
                        "≤ 1 s worst at scale 100", max(times) <= 1.0 if scale >= 100 else None))
    return rows


FLOOR_SQL = """
with periods as (
    select 'A' as freq, cast(y as varchar) as time_period, make_date(y, 1, 1) as first_day, make_date(y, 12, 31) as last_day, y as year
    from unnest($years) as t (y)
    union all
    select 'Q', y || '-Q' || q, make_date(y, 3 * q - 2, 1), cast(make_date(y, 3 * q - 2, 1) + interval 3 month - interval 1 day as date), y
    from unnest($years) as t (y), (values (1), (2), (3), (4)) as quarters (q)
),
site as (
    select site_id, reporting_year, county_code
    from read_csv($verksamhet, header = true, all_varchar = true) as v
    join read_csv($municipalities, header = true, all_varchar = true) as m using (municipality_code)
),
enrolled as (
    select p.site_id, p.participant_id, periods.freq, periods.time_period, periods.first_day, periods.last_day, site.county_code
    from read_csv($deltagare, header = true, types = {'intake_date': 'DATE', 'exit_date': 'DATE', 'reporting_year': 'INTEGER'}) as p
    join periods on p.reporting_year = periods.year
        and p.intake_date <= periods.last_day and (p.exit_date is null or p.exit_date >= periods.first_day)
    join site on site.site_id = p.site_id and site.reporting_year = cast(p.reporting_year as varchar)
),
working as (
    select distinct a.site_id, a.participant_id, periods.time_period
    from read_csv($aktiviteter, header = true, types = {'start_date': 'DATE', 'end_date': 'DATE', 'reporting_year': 'INTEGER'}) as a
    join periods on a.reporting_year = periods.year
        and a.start_date <= periods.last_day and (a.end_date is null or a.end_date >= periods.first_day)
    where a.activity_type = 'konkurrensutsatt_arbete'
)
select freq, time_period, coalesce(county_code, 'SE') as area, count(*) as participants,
    round(100 * count(working.participant_id) / count(*), 1) as competitive_employment_rate
from enrolled left join working using (site_id, participant_id, time_period)
group by grouping sets ((freq, time_period), (freq, time_period, county_code))
"""


def floor(plain_returns: Path, years: tuple[int, ...]) -> list[tuple]:
    files = {table: str(plain_returns / "*" / f"{table}.csv") for table in ("verksamhet", "deltagare", "aktiviteter")}
    with duckdb.connect() as connection:
        return connection.execute(FLOOR_SQL, {**files, "years": list(years),
                                              "municipalities": str(PROJECT_ROOT / "seeds" / "reference" / "municipalities.csv")}).fetchall()


def bench_floor(plain_returns: Path, years: tuple[int, ...], runs: int, scale: float, dbt_seconds: float,
                run_seconds: float) -> tuple[list[tuple], list[Row]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        figures = floor(plain_returns, years)
        times.append(time.perf_counter() - started)
    ratio = dbt_seconds / median(times)
    return list(figures), [
        Row("the floor: one DuckDB query over the CSV files", f"{median(times):.2f} s"),
        Row("`dbt build` ÷ floor", f"{ratio:.1f}", "≤ 5 at scale 100", ratio <= 5 if scale >= 100 else None),
        Row("`run` ÷ floor", f"{run_seconds / median(times):.1f}"),
    ]


def published_national(settings: Settings, year: int) -> tuple[int, float]:
    """The published national participants and competitive employment rate for the year."""
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        values = dict(connection.execute(
            "select indicator_code, obs_value from fct_indicator_published where freq = 'A' and time_period = $period "
            "and ref_area = 'SE' and sex = '_T' and age = '_T' and diagnosis = '_T' and indicator_code in ('PARTICIPANTS', 'EMP_COMP_RATE')",
            {"period": str(year)}).fetchall())
    return int(values["PARTICIPANTS"]), float(values["EMP_COMP_RATE"])


def check_floor(figures: list[tuple], published: Settings, year: int) -> None:
    """The floor computes what the pipeline publishes: the same national participants, the same rate to its one decimal."""
    participants, rate = next((participants, rate) for freq, period, area, participants, rate in figures
                              if freq == "A" and area == "SE" and period == str(year))
    published_participants, published_rate = published_national(published, year)
    assert participants == published_participants and abs(rate - published_rate) <= 0.05, (participants, rate, published_national)
    print(f"  the floor's national figures are the published ones: {participants:,} participants, {rate} % in competitive work", flush=True)


def value_of(rows: list[Row], prefix: str) -> float:
    return float(next(r for r in rows if r.measure.startswith(prefix)).value.split(" ")[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="K times Sweden at full coverage (300 sites, 15,000 participants)")
    parser.add_argument("--years", type=int, nargs="+", default=[2025], help="reporting years (default: one, so K × 15,000 participant-years)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure; medians are reported")
    parser.add_argument("--out", type=Path, help="where the table is written (default var/benchmark/scale-K.md)")
    parser.add_argument("--work", type=Path, help="a folder for the returns and homes (default: a temporary one, removed after)")
    parser.add_argument("--cycle", action="store_true", help="also the served system's cycle: a confirmed upload to published figures")
    args = parser.parse_args()
    years = tuple(args.years)
    out = args.out or PROJECT_ROOT / "var" / "benchmark" / f"scale-{args.scale:g}.md"
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        print(f"benchmark at scale {args.scale:g}, years {', '.join(map(str, years))}, {args.runs} runs each, in {work}", flush=True)
        returns = generate_scaled_returns(work / "returns", args.scale, years)
        plain_returns = work / "plain-returns"
        generate_scaled_returns(plain_returns, args.scale, years, dialect=Dialect())  # the same rows, for the floor
        participants = sum(sum(1 for _ in path.open(encoding="utf-8")) - 1 for path in plain_returns.glob("*/deltagare.csv"))
        print(f"  {len(returns)} returns written, {participants:,} participant-years", flush=True)
        submitted, rows = bench_submit(work, returns, participants, args.runs)
        print("  submit measured", flush=True)
        rows += bench_large_return(work, args.runs)
        print("  one large return measured", flush=True)
        published, run_rows = bench_run(work, submitted, args.runs, args.scale)
        rows += run_rows
        print("  run measured", flush=True)
        rows += bench_pages(published, max(5, args.runs), args.scale)
        print("  pages measured", flush=True)
        figures, floor_rows = bench_floor(plain_returns, years, args.runs, args.scale, value_of(rows, "`run`: dbt build"),
                                          value_of(rows, "`run` from"))
        rows += floor_rows
        check_floor(figures, published, max(years))
        rows += bench_resubmission(work, published, plain_returns, max(years), args.runs, args.scale)
        if args.cycle:
            rows += bench_cycle(work, published, plain_returns, max(years), args.runs)
    table = "\n".join([f"# Benchmark, scale {args.scale:g} ({len(returns)} returns, years {', '.join(map(str, years))}), "
                       f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, medians of {args.runs} runs", "",
                       "| measure | value | target | met |", "| --- | --- | --- | --- |", *(row.markdown() for row in rows), ""])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print("\n" + table + f"\nwritten to {out}")


def bench_cycle(work: Path, settings: Settings, plain_returns: Path, year: int, runs: int) -> list[Row]:
    """Served with the Dagster daemon: a site's replacement uploaded and confirmed, as the upload page does, timed until
    ``published/returns.json`` names it (what the dashboard reads next)."""
    sys.path.insert(0, str(PROJECT_ROOT))  # the serving helper is the browser tests'
    from pipelines.publishing.snapshot import published_returns
    from pipelines.returns import archive
    from pipelines.returns.submit import submit
    from tests.test_dashboard import serving

    times = []
    with serving(settings.home, dagster=True):
        time.sleep(10)  # the daemon's first sensor evaluation, which finds nothing to do
        for run in range(runs):
            site_id = f"IPS{run + 11:04d}"
            replacement = edited_return(plain_returns, site_id, year, work / f"upload-{run}")
            outcome = submit(replacement, settings, uploaded_by_site=site_id)
            assert outcome.receipt is not None and outcome.awaits_confirmation, outcome.verdict
            archive.decide(settings.archive_dir, outcome.receipt.return_id, confirmed=True, by="benchmark")
            confirmed = time.perf_counter()
            while outcome.receipt.return_id not in published_returns(settings.published_returns_path):
                assert time.perf_counter() - confirmed < 600, "the figures were not refreshed within 10 minutes"
                time.sleep(0.5)
            times.append(time.perf_counter() - confirmed)
    return [Row("served: a confirmed upload → published figures (daemon)", f"{median(times):.1f} s")]


if __name__ == "__main__":
    main()
