"""Crash safety under the Dagster daemon (`ips-monitor serve` runs it beside the dashboard): the daemon, or the run
worker it launched, killed with SIGKILL at each stage of a run; the daemon (restarted where it was killed) finishes
the work with no one's help, and publishes what a clean home given the same archive publishes.

One daemon, in a copy of a published home with a return waiting, is killed again and again as its sensor asks for the
run anew (a run whose process is gone is marked failed: ``pipelines.defs.jobs.fail_abandoned_runs``): while its
first run starts (before any worker runs it: Dagster's run monitoring fails that one), and its worker at its start,
while loading and during the dbt build. That is as often as one state of the archive is tried: the sensor then waits
for `ips-monitor run`. A new return makes a new state, whose run is killed with the daemon while the published
snapshot is written; the daemon restarted, the next run completes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType
from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG, RUN_KEY_TAG

from pipelines.definitions import INSTANCE_CONFIG, prepare_instance
from pipelines.defs.jobs import RunProcess, run_process
from pipelines.settings import HOME_ENV, Settings
from tests import test_crashes as crashes
from tests.test_archive_crash import assert_every_entry_whole
from tests.test_definitions import sensor_evaluation
from tests.test_serving import alive, descendants

# The launch of a run is given this long before run monitoring fails it, checked this often (180 s and 60 s in a data
# home's own configuration, too long to wait for here).
START_TIMEOUT_SECONDS, POLL_SECONDS = 10, 2


def start_daemon(settings: Settings, output: Path) -> subprocess.Popen[bytes]:
    """The daemon, as `ips-monitor serve` starts it (``pipelines.serving``), in a process group of its own."""
    from pipelines.serving import BIN, services

    env = {**os.environ, HOME_ENV: str(settings.home), "DAGSTER_HOME": str(settings.dagster_home)}
    subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, check=True, capture_output=True)
    with output.open("ab") as log:
        return subprocess.Popen(services(0, 0)["dagster-daemon"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_worker(worker: RunProcess, with_children: bool = True) -> None:
    """The run worker, with its children or alone."""
    for pid in [worker.pid, *(descendants(worker.pid) if with_children else ())]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_the_daemon_and_its_run_workers_killed_at_each_stage(tmp_path, small_warehouse):
    from pipelines.returns.submit import submit
    from tests.returns import minimal_return, write

    settings = crashes.with_a_third_site(small_warehouse, tmp_path)
    old = crashes.published(settings)
    (prepare_instance(settings) / "dagster.yaml").write_text(
        INSTANCE_CONFIG.replace("start_timeout_seconds: 180", f"start_timeout_seconds: {START_TIMEOUT_SECONDS}")
                       .replace("poll_interval_seconds: 60", f"poll_interval_seconds: {POLL_SECONDS}"), encoding="utf-8")
    incoming_snapshot = settings.published_path.with_name(f".{settings.published_path.name}.incoming")
    output = tmp_path / "daemon.txt"
    daemon = start_daemon(settings, output)
    try:
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            assert instance.run_monitoring_enabled
            seen = {record.dagster_run.run_id for record in instance.get_run_records()}

            def next_run(ready: Callable[[dg.RunRecord], bool], what: str) -> dg.RunRecord:
                """The daemon's next run, once ``ready``."""
                found: list[dg.RunRecord] = []

                def reached() -> bool:
                    found[:] = [r for r in instance.get_run_records(limit=3) if r.dagster_run.run_id not in seen and ready(r)]
                    return bool(found)

                crashes.wait_until(reached, daemon, output, what, explain=lambda: runs_told(instance))
                seen.add(found[0].dagster_run.run_id)
                return found[0]

            def worker(record: dg.RunRecord) -> RunProcess | None:
                return run_process(instance, record) if record.dagster_run.status == dg.DagsterRunStatus.STARTED else None

            def at_step(step: str) -> Callable[[dg.RunRecord], bool]:
                """Dagster's event log says the step has started."""
                return lambda record: any(event.step_key == step for event in
                                          instance.all_logs(record.dagster_run.run_id, of_type=DagsterEventType.STEP_START))

            def dbt_has_built_a_model(record: dg.RunRecord) -> bool:
                return any(event.step_key == "warehouse_models" for event in
                           instance.all_logs(record.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION))

            def killed_before_publishing() -> None:
                assert assert_every_entry_whole(settings.archive_dir) == len(old.returns) + 1
                assert crashes.published(settings) == old

            # 1. the daemon (its code server with it) killed while its first run starts: launched, no worker yet
            next_run(lambda r: r.dagster_run.status == dg.DagsterRunStatus.STARTING, "the first run's launch")
            kill_group(daemon)
            killed_before_publishing()
            daemon = start_daemon(settings, output)  # its run monitoring fails that run; the sensor asks again

            # 2. the run worker killed at its start, before it loads anything
            killed = worker(next_run(lambda r: worker(r) is not None, "the second run's worker"))
            assert killed is not None
            kill_worker(killed)
            killed_before_publishing()

            # 3. ... as it starts loading the site-years
            killed = run_process(instance, next_run(at_step("raw_returns"), "the third run's loading"))
            assert killed is not None
            kill_worker(killed)
            killed_before_publishing()

            # 4. ... during the dbt build, once dbt holds the warehouse: the worker alone, as the kernel's out-of-memory
            # killer would kill it; dbt runs in it (pipelines/defs/dbt_build.py), so nothing of the run is left running
            killed = run_process(instance, next_run(dbt_has_built_a_model, "the fourth run's dbt build"))
            assert killed is not None
            kill_worker(killed, with_children=False)
            killed_before_publishing()

            # killed as often as one state of the archive is tried: the sensor asks no more, and says why
            crashes.wait_until(lambda: crashes.failed_for_being_killed(settings) == 4, daemon, output, "the fourth run marked failed",
                               explain=lambda: runs_told(instance))
            waiting = sensor_evaluation(settings)  # at once: no dbt of the killed run holds the warehouse
            assert isinstance(waiting, dg.SkipReason) and "killed 4 times" in str(waiting.skip_message)
            reasons = [r.dagster_run.tags.get(RUN_FAILURE_REASON_TAG) for r in instance.get_run_records(limit=4)]
            assert "START_TIMEOUT" in reasons  # the first, whose launch was lost

            # 5. a new return, a new state: the daemon (its code server and worker with it) killed while the published
            # snapshot is written
            assert submit(write(minimal_return(education="hogskola"), tmp_path / "replacement"), settings).verdict == "accepted"
            crashes.wait_until(incoming_snapshot.exists, daemon, output, "the fifth run's published snapshot", poll_seconds=0.001,
                               explain=lambda: runs_told(instance))
            kill_group(daemon)
            assert assert_every_entry_whole(settings.archive_dir) == len(old.returns) + 2
            after_the_last_kill = crashes.published(settings)
            daemon = start_daemon(settings, output)

            # the next run completes, and publishes what a clean home given the same archive does
            next_run(lambda r: r.dagster_run.status == dg.DagsterRunStatus.SUCCESS, "a run that completes")
        new = crashes.published(crashes.clean_home_given(settings, tmp_path / "reference"))
        crashes.assert_old_or_new(after_the_last_kill, old, new)
        assert crashes.published(settings) == new
        assert crashes.in_flight(settings) == []
        assert crashes.failed_for_being_killed(settings) == 5, runs_told_in(settings)
    finally:
        kill_group(daemon)


def runs_told(instance: dg.DagsterInstance) -> str:
    """Every run, oldest first: its status, run key, why it failed and the errors its event log holds (a failing test
    says why the daemon's run did not come)."""
    lines = ["runs:"]
    for record in reversed(instance.get_run_records()):
        run = record.dagster_run
        lines.append(f"  {run.run_id[:8]} {run.status.value} key={run.tags.get(RUN_KEY_TAG)} reason={run.tags.get(RUN_FAILURE_REASON_TAG)}")
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            message = (event.message or "") if event is not None else ""
            if event is None or not (event.event_type in (DagsterEventType.RUN_FAILURE, DagsterEventType.STEP_FAILURE)
                                     or (event.event_type == DagsterEventType.ENGINE_EVENT and "error" in message.lower())):
                continue
            lines.append(f"    {event.event_type.value}: {message[:500]}")
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                lines.append("    " + error.to_string()[-1500:].replace("\n", "\n    "))
    return "\n".join(lines)


def runs_told_in(settings: Settings) -> str:
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return runs_told(instance)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def test_serve_killed_leaves_no_service_behind(tmp_path, dbt_manifest):
    """`ips-monitor serve` killed with SIGKILL (no `finally` runs) still takes the dashboard, the daemon and the webserver
    with it, and their code servers: left running, they would hold the ports and the instance, and the next `serve`
    would fail."""
    from pipelines.serving import wait_until_serving
    from tests.test_dashboard import free_port

    port = free_port()
    server = subprocess.Popen([crashes.CLI, "--home", str(tmp_path / "home"), "serve", "--port", str(port), "--dagster-port", str(free_port())],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    services: set[int] = set()
    try:
        wait_until_serving(port, server)
        crashes.wait_until(lambda: sum("dagster api grpc" in command_line(pid) for pid in descendants(server.pid)) >= 2, server, None,
                           "the daemon's and the webserver's code servers")
        services = {pid for pid in descendants(server.pid) if process_group(pid) == pid}  # each started in a session of its own
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        crashes.wait_until(lambda: not in_groups(services), None, None, "every service and its children stopped")
        with socket.socket() as probe:  # the next serve can have the port (a server reuses it, as Streamlit's does)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    finally:
        for group in services:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def process_group(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except OSError:
        return None


def in_groups(groups: set[int]) -> list[int]:
    """The live processes (not zombies) of these process groups."""
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and process_group(int(entry.name)) in groups and alive(int(entry.name))]
