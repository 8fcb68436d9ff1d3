"""Refresh the warehouse whenever the archive's accepted returns differ from what the warehouse and the published
figures hold (under the Dagster daemon): a new accepted return, a confirmed replacement. Only the site-years that
changed are loaded. Whatever ran before (the daemon, or `ips-monitor run`), the warehouse and the published figures
say what they rest on, so nothing runs twice and nothing is missed. A run killed on the way (its process gone) is marked
failed here and asked for again, a few times at most."""

import hashlib

import dagster as dg
import duckdb

from pipelines.defs.jobs import IN_FLIGHT, REFRESH_JOB, Refresh, build_warehouse, fail_abandoned_runs, killed_runs, next_refresh, refresh_warehouse
from pipelines.defs.resources import SettingsResource
from pipelines.defs.returns import REPORTING_YEARS, REPORTING_YEARS_NAME
from pipelines.publishing.snapshot import published_returns
from pipelines.returns.accepted import accepted_receipts, current_return_ids
from pipelines.warehouse_lock import held_by_another_process

CHECK_EVERY_SECONDS = 5
# The state of the archive a run was asked for (its run key, but for a run asked again after a kill)
STATE_TAG = "ips/archive_state"
# How often a state whose run was killed is asked for again: a run killed each time (say for want of memory) then
# waits for `ips-monitor run`, instead of being started again every few seconds
RESTARTS_AFTER_A_KILL = 3


@dg.sensor(jobs=[refresh_warehouse, build_warehouse], minimum_interval_seconds=CHECK_EVERY_SECONDS,
           default_status=dg.DefaultSensorStatus.RUNNING)
def returns_in_effect_changed(context: dg.SensorEvaluationContext, settings: SettingsResource) -> dg.SensorResult | dg.SkipReason:
    """At most one run at a time (each writes the warehouse), and one per state of the archive and refresh it needs (its
    run key): a state whose run failed is not tried again until the archive changes, so a broken return does not loop;
    but one whose run was stopped from outside (killed, or its launch lost: ``killed_runs``) is, under a new run key, up to
    ``RESTARTS_AFTER_A_KILL`` times. A run whose process is gone is marked failed first (``fail_abandoned_runs``): else
    it would be taken for under way for ever."""
    fail_abandoned_runs(context.instance)
    if context.instance.get_run_records(dg.RunsFilter(statuses=IN_FLIGHT), limit=1):
        return dg.SkipReason("a run is under way")
    config = settings.get()
    try:
        refresh, new_years = next_refresh(config, context.instance.get_dynamic_partitions(REPORTING_YEARS_NAME))
    except duckdb.IOException as error:  # held by a process that is no run: a killed run's dbt ending, a shell
        if not held_by_another_process(error):
            raise
        return dg.SkipReason(f"the warehouse is held by another process: {error}")
    in_effect = current_return_ids(accepted_receipts(config.archive_dir))
    published = published_returns(config.published_returns_path)
    if refresh.job != REFRESH_JOB and in_effect == published:
        return dg.SkipReason(f"the warehouse and the published figures rest on the {len(in_effect)} returns in effect")
    state = hashlib.sha256("\n".join(sorted(in_effect)).encode()).hexdigest()[:16]
    killed = killed_runs(context.instance, {STATE_TAG: state})
    if killed > RESTARTS_AFTER_A_KILL:
        return dg.SkipReason(f"the runs for this state of the archive were killed {killed} times: run `ips-monitor run`")
    request = dg.RunRequest(run_key=run_key(state, refresh, killed), job_name=refresh.job,
                            partition_key=refresh.partition_key,
                            tags={**refresh.tags, STATE_TAG: state, "ips/new_returns": str(len(in_effect - published)),
                                  "ips/withdrawn_returns": str(len(published - in_effect))})
    return dg.SensorResult(run_requests=[request],
                           dynamic_partitions_requests=[REPORTING_YEARS.build_add_request(new_years)] if new_years else None)


def run_key(state: str, refresh: Refresh, killed: int) -> str:
    """The state of the archive and the refresh asked for, and how many of the state's runs were killed. The refresh is
    part of it because the archive is read twice: a return stored between ``next_refresh`` and the reading of the
    returns in effect gives a run of the new state that does not load it; the refresh that does, asked for next, must
    have a key of its own, or Dagster would take it for that run and never start it."""
    years = [f"{refresh.first}..{refresh.last}"] if refresh.first is not None else []
    return "-".join([state, refresh.job, *years, *([f"restart-{killed}"] if killed else [])])
