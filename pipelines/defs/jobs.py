"""The jobs, and which of them the next refresh is: the CLI and the sensor both ask ``next_refresh``.

A refresh loads the stale site-years (those whose returns in the archive differ from those in the warehouse), in a
run over the reporting years (the partitions) that hold them, and builds everything after them; with none stale, it
only builds.

Runs under way, and runs whose process was killed (``fail_abandoned_runs``): a run killed with SIGKILL, or with the
machine, cannot say it ended, and its record in the instance would stay "started" for ever, so that the sensor would
wait for it for ever. Every run names its process: the daemon's run workers by Dagster's own event ("Started process
for run (pid: …)"), a run of ``ips-monitor run`` by its tags (``this_process``), given when its record is made. A run
in flight whose process is gone is marked failed, before anyone asks whether a run is under way."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType, JobFailureData, RunFailureReason
from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG

from pipelines.returns.accepted import reporting_year_of, reporting_years, stale_site_years
from pipelines.settings import Settings

REFRESH_JOB = "refresh_warehouse"
BUILD_JOB = "build_warehouse"
# Dagster's tags for a run over a range of partitions (one run for several years)
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

refresh_warehouse = dg.define_asset_job(
    REFRESH_JOB, selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # the steps run one after the other anyway; a process for each only costs seconds
    description="The stale site-years' accepted returns → dbt build (models and tests) → published snapshot → SDMX-CSV per year",
)

build_warehouse = dg.define_asset_job(
    BUILD_JOB, selection=dg.AssetSelection.all() - dg.AssetSelection.groups("intake"),
    executor_def=dg.in_process_executor,
    description="dbt build (models and tests) → published snapshot → SDMX-CSV per year, on the returns already loaded",
)


@dataclass(frozen=True)
class Refresh:
    job: str
    first: str | None = None  # the range of reporting-year partitions to load, in the instance's order
    last: str | None = None

    @property
    def partition_key(self) -> str | None:
        return self.first if self.first == self.last else None

    @property
    def tags(self) -> dict[str, str]:
        if self.first is None or self.first == self.last:
            return {}
        return {RANGE_START_TAG: self.first, RANGE_END_TAG: str(self.last)}


def next_refresh(settings: Settings, known: Sequence[str]) -> tuple[Refresh, list[str]]:
    """The refresh the warehouse needs, and the reporting years to add to the partitions ``known`` to the instance first.
    Stale site-years are loaded in one run over the range of years that holds them all (a year with none stale loads
    nothing). A year only the warehouse still holds (its returns no longer accepted) is a partition too, so its rows go."""
    stale_years = {reporting_year_of(key) for key in stale_site_years(settings.archive_dir, settings.warehouse_path)}
    new = [year for year in dict.fromkeys([*reporting_years(settings.archive_dir), *sorted(stale_years)]) if year not in known]
    order = [*known, *new]
    stale = sorted(order.index(year) for year in stale_years)
    if not stale:
        return Refresh(BUILD_JOB), new
    return Refresh(REFRESH_JOB, order[stale[0]], order[stale[-1]]), new


# Not finished, and holding (or about to hold) the warehouse: the sensor starts no run while one is so, nor does a rebuild.
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
# The states in which a run has, or had, a process of its own. A run STARTING under the daemon has none yet: if its
# launch is lost, Dagster's run monitoring (``run_monitoring`` in the instance's dagster.yaml) fails it after a timeout.
RUNNING = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTED]
# The process that runs a run in itself (`ips-monitor run`), in the run's tags
HOST_TAG, PID_TAG = "ips/host", "ips/pid"
# Why a run failed when the fault was its own (Dagster's tag ``dagster/failure_reason``): a step failed (a dbt test,
# say), the run's machinery raised, its resources could not start. A run that failed otherwise was stopped from outside:
# no reason given (Dagster's code server saw its run worker killed), UNEXPECTED_TERMINATION (interrupted, or its process
# found gone here), START_TIMEOUT (its launch lost, failed by run monitoring).
OWN_FAULTS = {RunFailureReason.STEP_FAILURE.value, RunFailureReason.RUN_EXCEPTION.value, RunFailureReason.JOB_INITIALIZATION_FAILURE.value}
# A process that started this much after the run named it is another one, which was given the same number
CLOCK_SLACK_SECONDS = 2.0


def this_process() -> dict[str, str]:
    """The tags that name this process as the one running a run (``ips-monitor run`` runs its job in itself)."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


@dataclass(frozen=True)
class RunProcess:
    pid: int
    host: str | None  # None: this machine's (a run worker the daemon launched here)
    named_at: float  # when the run named it (seconds since the epoch); the process started before

    def is_gone(self) -> bool:
        """Whether the process has certainly ended; one on another machine cannot be told, so is taken as running."""
        if self.host is not None and self.host != socket.gethostname():
            return False
        started = _started_at(self.pid)
        return started is None or started > self.named_at + CLOCK_SLACK_SECONDS


def run_process(instance: dg.DagsterInstance, record: dg.RunRecord) -> RunProcess | None:
    """The process running ``record``'s run, as the run named it; None if it has named none yet."""
    tags = record.dagster_run.tags
    if PID_TAG in tags:
        return RunProcess(int(tags[PID_TAG]), tags.get(HOST_TAG), record.create_timestamp.timestamp())
    for entry in reversed(instance.all_logs(record.dagster_run.run_id, of_type=DagsterEventType.ENGINE_EVENT)):
        event = entry.dagster_event
        data = event.engine_event_data if event is not None else None
        if data is not None and "pid" in data.metadata:
            return RunProcess(int(str(data.metadata["pid"].value)), None, entry.timestamp)
    return None


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed each run in flight whose process is gone (killed, or the machine stopped): no one else ever will.
    The ids of the runs so marked."""
    abandoned = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=RUNNING)):
        process = run_process(instance, record)
        if process is None or not process.is_gone():
            continue
        run = record.dagster_run
        instance.report_run_failed(run, f"Its process (pid {process.pid}{' on ' + process.host if process.host else ''}) is gone: "
                                        "it was killed, or the machine stopped, in the middle of the run. Marked failed so that "
                                        "the next run can start.",
                                   JobFailureData(error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION))
        abandoned.append(run.run_id)
    return abandoned


def killed_runs(instance: dg.DagsterInstance, tags: dict[str, str]) -> int:
    """How many runs with ``tags`` failed for being stopped from outside, not for a fault of their own."""
    failed = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], tags=tags))
    return sum(record.dagster_run.tags.get(RUN_FAILURE_REASON_TAG) not in OWN_FAULTS for record in failed)


def _started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None if there is none (a zombie has ended). Read from
    Linux's /proc; elsewhere every process is taken to run since ever, so that no run is ever taken for abandoned."""
    if not Path("/proc/self/stat").exists():
        return 0.0
    try:
        state, *fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if state in ("Z", "X"):
        return None
    booted = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    return booted + int(fields[18]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: the start, in ticks since the boot
