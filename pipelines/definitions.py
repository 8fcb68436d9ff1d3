"""The Dagster code location: the definitions in ``pipelines/defs/``, bound to the settings.

``dagster dev``/``dg`` load ``defs`` (settings from the environment, read once); ``ips-monitor run``
builds the very same definitions with the settings of its command line and runs their job.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import dagster as dg

from pipelines.defs.loggers import run_log
from pipelines.defs.resources import resources_for
from pipelines.settings import Settings, load_settings
from pipelines.warehouse_lock import wait_for_the_warehouse


def build_definitions(settings: Settings) -> dg.Definitions:
    loggers = dg.Definitions(loggers={"console": dg.colored_console_logger, "run_log": run_log})
    return dg.Definitions.merge(dg.load_from_defs_folder(path_within_project=Path(__file__).parent), loggers).with_resources(
        resources_for(settings))


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())

# The data home's Dagster instance, which the daemon, the webserver and `ips-monitor run` share. One run at a time:
# every run writes the one warehouse file. Run monitoring (in the daemon) fails a run whose launch was lost (the daemon
# or its code server killed before the run worker started): it would otherwise wait in STARTING for ever. A run whose
# process was killed later is failed by `fail_abandoned_runs` (Dagster's monitoring cannot tell for this launcher).
# The instance class is Dagster's with an event log that keeps its connections (pipelines/instance.py).
INSTANCE_CONFIG = """\
instance_class:
  module: pipelines.instance
  class: IpsMonitorInstance
concurrency:
  runs:
    max_concurrent_runs: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  poll_interval_seconds: 60
telemetry:
  enabled: false
"""


def prepare_instance(settings: Settings) -> Path:
    """The instance's folder with its configuration (written when missing, so that an operator's own is kept)."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    return settings.dagster_home


def refresh_in_process(settings: Settings) -> tuple[dg.ExecuteInProcessResult, Path]:
    """The next refresh (``next_refresh``, as the sensor asks) in this process, as ``ips-monitor run`` does, recorded in
    the data home's Dagster instance: one line per finished stage on screen, every event in the returned log file. The
    run names this process in its tags, and runs before it whose process is gone are marked failed first."""
    from pipelines.defs.jobs import fail_abandoned_runs, next_refresh, this_process
    from pipelines.defs.returns import REPORTING_YEARS_NAME

    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.logs_dir / f"run-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.log"
    run_config = {"loggers": {"run_log": {"config": {"path": str(log_path)}}}}
    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        fail_abandoned_runs(instance)
        wait_for_the_warehouse(settings.warehouse_path)
        refresh, new_years = next_refresh(settings, instance.get_dynamic_partitions(REPORTING_YEARS_NAME))
        instance.add_dynamic_partitions(REPORTING_YEARS_NAME, new_years)
        job = build_definitions(settings).resolve_job_def(refresh.job)
        # dagster-dbt echoes dbt's own output to standard output: into the run's log with the rest
        with log_path.open("a", encoding="utf-8", buffering=1) as log, contextlib.redirect_stdout(log):
            result = job.execute_in_process(run_config=run_config, instance=instance, partition_key=refresh.partition_key,
                                            tags={**refresh.tags, **this_process()}, raise_on_error=False)
    return result, log_path
