"""Crash safety: `ips-monitor run` killed with SIGKILL at each of its stages never leaves the dashboard half a run,
nor anything that makes the next run fail; the next run completes and publishes what a clean home given the same
archive publishes. Submissions and uploads killed are in ``test_crashes_intake``, the daemon's runs in
``test_crashes_daemon``; both use the helpers here.

Each kill point is reached deterministically, in one of two ways: by watching what the run writes as it goes (its log
under the data home, where Dagster's events and dbt's own lines arrive as they happen), or by a driver that calls the
very CLI (``pipelines.cli.main``, what the ``ips-monitor`` script runs) with one function wrapped so that the process
stops itself (SIGSTOP) at the named point. Either way the process group is then killed with SIGKILL (at one point the
run's process alone, as the out-of-memory killer would, its dbt left running): a stopped process does nothing more, so
the kill lands exactly there.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipelines.returns import archive
from pipelines.returns.accepted import stale_site_years
from pipelines.settings import Settings, load_settings
from tests.test_archive_crash import assert_every_entry_whole
from tests.test_definitions import sensor_evaluation, warehouse_contents

CLI = str(Path(sys.executable).parent / "ips-monitor")
REACH_SECONDS = 180  # the longest a kill point may take to come (a run's dbt build on a busy machine)

# What a driver runs first: the means to stop at a point. ``stop_at`` wraps a function of a module, so that its n-th
# call stops the process before it begins (or once it has returned); ``stop_on_sql`` wraps the connections a module
# opens, so that its n-th statement beginning so stops the process before it is executed.
PRELUDE = '''
import functools, importlib, os, pathlib, signal, sys

def stop():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGSTOP)

def stop_at(module, name, calls=1, after=False):
    target = importlib.import_module(module)
    original = getattr(target, name)
    count = [0]
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        count[0] += 1
        if count[0] == calls and not after:
            stop()
        result = original(*args, **kwargs)
        if count[0] == calls and after:
            stop()
        return result
    setattr(target, name, wrapper)

def stop_on_sql(module, statement, calls=1):
    import duckdb
    target = importlib.import_module(module)
    count = [0]
    class Connection:
        def __init__(self, connection):
            self._connection = connection
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self._connection.__exit__(*exc)
        def __getattr__(self, name):
            return getattr(self._connection, name)
        def execute(self, sql, *args):
            if sql.startswith(statement):
                count[0] += 1
                if count[0] == calls:
                    stop()
            return self._connection.execute(sql, *args)
    class DuckDB:
        def __getattr__(self, name):
            return getattr(duckdb, name)
        def connect(self, *args, **kwargs):
            return Connection(duckdb.connect(*args, **kwargs))
    target.duckdb = DuckDB()
'''
CLI_CALL = "from pipelines.cli import main\nsys.exit(main(sys.argv[1:]))"


def driver(hook: str, call: str = CLI_CALL) -> list[str]:
    """A Python process that installs ``hook`` (a line of the prelude's functions), then makes ``call``."""
    return [sys.executable, "-c", f"{PRELUDE}\n{hook}\n{call}"]


def start(command: list[str], output: Path) -> subprocess.Popen[bytes]:
    with output.open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until(reached: Callable[[], bool], process: subprocess.Popen[bytes] | None, output: Path | None, what: str,
               poll_seconds: float = 0.02, explain: Callable[[], str] | None = None) -> None:
    """Until ``reached``; fails if ``process`` ends first, or after ``REACH_SECONDS``, with what ``explain`` tells and
    the end of its ``output``. A moment that lasts only milliseconds (a small snapshot being written) needs a shorter
    ``poll_seconds``."""
    def shown() -> str:
        told = explain() + "\n" if explain is not None else ""
        return told + (output.read_text(errors="replace")[-3000:] if output is not None and output.exists() else "")

    deadline = time.monotonic() + REACH_SECONDS
    while not reached():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}:\n{shown()}")
        if time.monotonic() > deadline:
            if process is not None:
                kill(process)
            pytest.fail(f"{what} did not come within {REACH_SECONDS} s:\n{shown()}")
        time.sleep(poll_seconds)


def is_stopped(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def kill(process: subprocess.Popen[bytes], group: bool = True) -> None:
    """SIGKILL, to the process's group (the process and every child it started, dbt included) or to it alone."""
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def kill_when_stopped(process: subprocess.Popen[bytes], output: Path, what: str) -> None:
    wait_until(lambda: is_stopped(process.pid), process, output, what)
    kill(process)


def assert_archive_whole(settings: Settings) -> int:
    """Only whole entries: each with its receipt, every file as its receipt says, nothing damaged (``verify``); the
    number of entries."""
    entries = assert_every_entry_whole(settings.archive_dir)
    damage = archive.verify(settings.archive_dir).damage
    assert damage == [], [str(d) for d in damage]
    return entries


@dataclass(frozen=True)
class Published:
    """Everything a run publishes, as read from the data home."""

    tables: dict[str, list[tuple]]  # the published snapshot, every table
    site_level: dict[str, list[tuple]]
    returns: list[str]  # published/returns.json
    exports: dict[str, bytes]


def published(settings: Settings) -> Published:
    """What the data home publishes; fails unless the published snapshot opens with every table a run puts in it."""
    from pipelines.defs.publishing import PUBLISHED_RELATIONS

    tables = contents(settings.published_path)
    assert sorted(tables) == sorted(f"main.{name}" for name in PUBLISHED_RELATIONS)
    # a file being written is hidden until it is swapped in (``write_atomically``); the next run clears one left by a kill
    exports = ({p.name: p.read_bytes() for p in sorted(settings.exports_dir.iterdir()) if not p.name.startswith(".")}
               if settings.exports_dir.exists() else {})
    return Published(tables, contents(settings.site_level_path), json.loads(settings.published_returns_path.read_text(encoding="utf-8")),
                     exports)


def contents(database: Path) -> dict[str, list[tuple]]:
    """Every table's rows, with NaN as text (one NaN is never equal to another)."""
    return {name: [tuple("NaN" if isinstance(value, float) and math.isnan(value) else value for value in row) for row in rows]
            for name, rows in warehouse_contents(database).items()}


def assert_old_or_new(now: Published, old: Published, new: Published) -> str:
    """Each snapshot the dashboard reads is the old one or the new one entirely, and the record of what the published
    figures rest on (what the sensor compares with the archive) never runs ahead of them; which the published one is."""
    assert now.tables in (old.tables, new.tables)
    assert now.site_level in (old.site_level, new.site_level)
    assert now.returns in (old.returns, new.returns)
    if now.tables == old.tables:
        assert now.returns == old.returns  # else the sensor would take the old figures for the new
    return "old" if now.tables == old.tables else "new"


def in_flight(settings: Settings) -> list[dg.DagsterRun]:
    from pipelines.defs.jobs import IN_FLIGHT

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return [record.dagster_run for record in instance.get_run_records(dg.RunsFilter(statuses=IN_FLIGHT))]


def failed_for_being_killed(settings: Settings) -> int:
    from pipelines.defs.jobs import killed_runs

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return killed_runs(instance, {})


def run_cli(settings: Settings) -> int:
    """`ips-monitor run`, in this process (the same code as the script, without its seconds of imports)."""
    from pipelines.cli import main

    return main(["--home", str(settings.home), "run"])


def copy_home(settings: Settings, target: Path) -> Settings:
    shutil.copytree(settings.home, target)
    return load_settings(target)


def clean_home_given(settings: Settings, target: Path) -> Settings:
    """A new data home with a copy of ``settings``' archive, run once: what that archive should publish."""
    from tests.conftest import run_pipeline

    clean = load_settings(target)
    shutil.copytree(settings.archive_dir, clean.archive_dir)
    run_pipeline(clean)
    return clean


@dataclass(frozen=True)
class Homes:
    base: Settings  # the small data set published, a third site's return waiting
    old: Published  # what the base publishes
    new: Published  # what a clean home given the base's archive publishes


def with_a_third_site(small_warehouse: Settings, target: Path) -> Settings:
    """A copy of the small data set's home (published) with a third site's return submitted, not yet run."""
    from pipelines.returns.submit import submit
    from tests.returns import minimal_return, write

    settings = copy_home(small_warehouse, target / "home")
    assert submit(write(minimal_return(), target / "third"), settings).verdict == "accepted"
    return settings


@pytest.fixture(scope="module")
def homes(tmp_path_factory, small_warehouse) -> Homes:
    base = with_a_third_site(small_warehouse, tmp_path_factory.mktemp("base"))
    old = published(small_warehouse)
    new = published(clean_home_given(base, tmp_path_factory.mktemp("reference") / "home"))
    assert new.tables != old.tables and len(new.returns) == len(old.returns) + 1
    return Homes(base, old, new)


@dataclass(frozen=True)
class RunKill:
    name: str
    hook: str | None = None  # a driver's hook; None: the `ips-monitor` script, killed when its log shows `log_line`
    log_line: str = ""
    group: bool = True  # False: the run's process alone (dbt runs in it: nothing of the run is left running)
    published: str = "old"  # what the published snapshot must be after the kill
    loaded: bool = True  # whether the returns' load was committed before the kill
    left: str | None = None  # a file the kill leaves half written, relative to the data home
    sensor_first: bool = True  # the sensor is asked before the next run (else the next run is the first to look)


RUN_KILLS = [
    RunKill("start-up: the run recorded as started, nothing loaded", log_line=" RUN_START ", loaded=False),
    RunKill("loading: in the load's transaction, before its commit",
            hook='stop_on_sql("pipelines.returns.accepted", "commit")', loaded=False, sensor_first=False),
    RunKill("dbt build, midway: the process group, dbt with it", log_line="START sql table model main.fct_indicator "),
    RunKill("dbt build, midway: the run's process alone, dbt with it", log_line="START sql table model main.int_participants ",
            group=False, sensor_first=False),
    RunKill("writing the published snapshot: half its tables copied", hook='stop_on_sql("pipelines.publishing.snapshot", "create table", 3)',
            left="published/.warehouse.duckdb.incoming"),
    RunKill("the published snapshot swapped in, the record of its returns not yet",
            hook='stop_at("pipelines.publishing.snapshot", "record_published_returns")', published="new"),
    RunKill("writing the SDMX-CSV exports: the first about to be written", hook='stop_at("pipelines.publishing.sdmx_csv", "write_atomically")',
            published="new", sensor_first=False),
]


@pytest.mark.parametrize("point", RUN_KILLS, ids=lambda point: point.name.split(":")[0].replace(" ", "-") + ("" if point.group else "-alone"))
def test_run_killed(homes, tmp_path, point):
    settings = copy_home(homes.base, tmp_path / "home")
    output = tmp_path / "output.txt"
    argv = ["--home", str(settings.home), "run"]
    logs_before = set(settings.logs_dir.iterdir())
    process = start(driver(point.hook) + argv if point.hook else [CLI, *argv], output)
    try:
        if point.hook:
            kill_when_stopped(process, output, point.name)
        else:
            def logged() -> bool:
                return any(point.log_line in log.read_text(errors="replace") for log in set(settings.logs_dir.iterdir()) - logs_before)

            wait_until(logged, process, output, point.name)
            kill(process, point.group)
        check_after_a_killed_run(settings, homes, point)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything of the group left running


def check_after_a_killed_run(settings: Settings, homes: Homes, point: RunKill) -> None:
    assert assert_every_entry_whole(settings.archive_dir) == len(homes.new.returns)  # a run only reads it
    assert assert_old_or_new(published(settings), homes.old, homes.new) == point.published
    # the load is one transaction: nothing of it before its commit, all of it after (from DuckDB's WAL, if it is there);
    # and no dbt of the killed run holds the warehouse, even when its process was killed alone: this reads it at once
    assert stale_site_years(settings.archive_dir, settings.warehouse_path) == ([] if point.loaded else ["IPS0009-2025"])
    assert point.left is None or (settings.home / point.left).exists()
    if point.sensor_first:  # the daemon's sensor, not waiting for the killed run: it asks for the run the figures need
        evaluation = sensor_evaluation(settings)
        assert isinstance(evaluation, dg.SensorResult), evaluation
    assert run_cli(settings) == 0
    assert published(settings) == homes.new
    assert not [path for path in settings.home.glob("*/.*.incoming*")]  # what a killed snapshot left is gone
    assert in_flight(settings) == []
    assert failed_for_being_killed(settings) == 1  # the killed run, marked failed by the sensor or the next run
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)  # and nothing more to do


def test_an_export_is_whole_after_a_kill(tmp_path, small_warehouse):
    settings = copy_home(small_warehouse, tmp_path / "home")
    before = published(settings).exports
    write_exports = ("from pipelines.publishing.published import published_observations\n"
                     "from pipelines.publishing.sdmx_csv import write_sdmx_csv_per_year\n"
                     "write_sdmx_csv_per_year(pathlib.Path(sys.argv[1]), published_observations(pathlib.Path(sys.argv[2])))")
    output = tmp_path / "output.txt"
    process = start(driver('stop_at("os", "fsync")', write_exports) + [str(settings.exports_dir), str(settings.published_path)], output)
    kill_when_stopped(process, output, "writing an export")
    assert published(settings).exports == before


def test_a_run_is_taken_for_abandoned_only_when_its_process_is_gone(tmp_path):
    """Under way: a run of this process, one on another machine (which cannot be told), one that names no process yet.
    Gone: a run whose process ended, a daemon's run whose worker ended, a run whose process number now belongs to a
    process started after it named it."""
    from dagster._core.events import EngineEventData

    from pipelines.definitions import prepare_instance
    from pipelines.defs.jobs import CLOCK_SLACK_SECONDS, HOST_TAG, PID_TAG, REFRESH_JOB, fail_abandoned_runs, this_process

    ended = subprocess.Popen(["true"])
    ended.wait()
    with dg.DagsterInstance.from_config(str(prepare_instance(load_settings(tmp_path / "home")))) as instance:
        def started(name: str, tags: dict[str, str], pid: int | None = None) -> str:
            run = instance.add_run(dg.DagsterRun(job_name=REFRESH_JOB, run_id=name * 32, status=dg.DagsterRunStatus.STARTED, tags=tags))
            if pid is not None:  # as the daemon's code server names the run worker it started
                instance.report_engine_event(f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid))
            return run.run_id

        under_way = [started("a", this_process()), started("b", {HOST_TAG: "another-machine", PID_TAG: str(ended.pid)}),
                     started("c", {}), started("d", {}, pid=os.getpid())]
        gone = [started("e", {**this_process(), PID_TAG: str(ended.pid)}), started("f", {}, pid=ended.pid), started("g", {})]
        time.sleep(CLOCK_SLACK_SECONDS + 1)
        later = subprocess.Popen(["sleep", "60"])
        try:
            instance.add_run_tags(gone[-1], {**this_process(), PID_TAG: str(later.pid)})  # "g" named its process, whose number came again
            assert sorted(fail_abandoned_runs(instance)) == gone
        finally:
            later.kill()
            later.wait()
        status = {record.dagster_run.run_id: record.dagster_run.status for record in instance.get_run_records()}
    assert [status[run_id] for run_id in under_way] == [dg.DagsterRunStatus.STARTED] * 4
    assert [status[run_id] for run_id in gone] == [dg.DagsterRunStatus.FAILURE] * 3


def test_the_sensor_asks_again_after_a_kill_a_few_times_at_most(tmp_path, dbt_manifest):
    """A killed run's state of the archive is asked for again under a new run key (the daemon runs a run key once),
    however the kill was found; after ``RESTARTS_AFTER_A_KILL`` the sensor waits. A run that failed for a fault of its
    own is not asked for again."""
    from dagster._core.events import EngineEventData, JobFailureData, RunFailureReason

    from pipelines.definitions import prepare_instance
    from pipelines.defs.sensors import RESTARTS_AFTER_A_KILL, STATE_TAG
    from pipelines.returns.submit import submit
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "first"), settings)
    ended = subprocess.Popen(["true"])
    ended.wait()

    def run_and_fail(failure: str) -> dg.RunRequest:
        """The sensor's request run as the daemon would, then ended as ``failure`` says; the request."""
        evaluation = sensor_evaluation(settings)
        assert isinstance(evaluation, dg.SensorResult)
        (request,) = evaluation.run_requests or []
        with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
            run = instance.add_run(dg.DagsterRun(job_name=str(request.job_name), status=dg.DagsterRunStatus.STARTED,
                                                 tags={**request.tags, "dagster/run_key": str(request.run_key)}))
            if failure == "worker gone":  # found by the sensor
                instance.report_engine_event("Started process for run.", run, EngineEventData.in_process(ended.pid))
            elif failure == "launch lost":  # run monitoring's
                instance.report_run_failed(run, "timed out", JobFailureData(None, RunFailureReason.START_TIMEOUT))
            elif failure == "worker killed":  # the code server's, its run worker killed
                instance.report_run_failed(run, "terminated by signal 9")
            else:
                instance.report_run_failed(run, "Steps failed", JobFailureData(None, RunFailureReason.STEP_FAILURE))
        return request

    failures = ["worker gone", "launch lost", "worker killed", "worker gone"]
    assert len(failures) == RESTARTS_AFTER_A_KILL + 1
    requests = [run_and_fail(failure) for failure in failures]
    state = requests[0].tags[STATE_TAG]
    keys = [str(request.run_key) for request in requests]
    assert len(set(keys)) == len(keys) and all(key.startswith(state) for key in keys)  # each a run Dagster starts
    waiting = sensor_evaluation(settings)
    assert isinstance(waiting, dg.SkipReason) and "killed 4 times" in str(waiting.skip_message)

    submit(write(minimal_return(education="hogskola"), tmp_path / "second"), settings)  # a new state
    failed = run_and_fail("a step failed")
    again = sensor_evaluation(settings)
    assert isinstance(again, dg.SensorResult) and again.run_requests[0].run_key == failed.run_key  # which the daemon runs once


def test_the_sensor_waits_while_another_process_holds_the_warehouse(tmp_path, dbt_manifest):
    """Another process holds the warehouse (an analyst's DuckDB session, a dbt started by hand): the sensor skips, it
    does not fail."""
    from pipelines.returns.submit import submit
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "return"), settings)
    hold = "import duckdb, sys, time\nconnection = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(120)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(settings.warehouse_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        evaluation = sensor_evaluation(settings)
        assert isinstance(evaluation, dg.SkipReason) and "held by another process" in str(evaluation.skip_message)
    finally:
        holder.kill()
        holder.wait()
    assert isinstance(sensor_evaluation(settings), dg.SensorResult)


def test_a_run_started_while_another_process_holds_the_warehouse_waits_for_it(tmp_path, dbt_manifest):
    """The sensor read the warehouse a moment before another process took it (an analyst's DuckDB session, a dbt
    started by hand): the run it started waits (``WAREHOUSE_WAIT_SECONDS``) instead of failing, which would leave that
    state of the archive unloaded until the archive next changes."""
    from pipelines.returns.submit import submit
    from pipelines.warehouse_lock import WAITING
    from tests.returns import minimal_return, write
    from tests.test_definitions import run_as_the_daemon_would

    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "return"), settings)
    evaluation = sensor_evaluation(settings)
    assert isinstance(evaluation, dg.SensorResult)
    hold = "import duckdb, sys, time\nconnection = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(8)"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(settings.warehouse_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = run_as_the_daemon_would(settings, evaluation)
        assert holder.poll() is not None  # the run went on only once the holder had let go
    finally:
        holder.kill()
        holder.wait()
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        assert WAITING in [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert warehouse_contents(settings.warehouse_path)["raw.returns"]
