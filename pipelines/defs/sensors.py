"""Refresh the warehouse whenever the returns in effect differ from those the published figures rest on (under the
Dagster daemon): a new accepted return, a confirmed replacement. Whatever ran before (the daemon, or `ips-monitor
run`), the published figures say what they rest on, so nothing runs twice and nothing is missed."""

import hashlib

import dagster as dg

from pipelines.defs.jobs import refresh_warehouse
from pipelines.defs.resources import SettingsResource
from pipelines.publishing.snapshot import published_returns
from pipelines.returns.accepted import accepted_receipts, current_return_ids

CHECK_EVERY_SECONDS = 10


@dg.sensor(job=refresh_warehouse, minimum_interval_seconds=CHECK_EVERY_SECONDS, default_status=dg.DefaultSensorStatus.RUNNING)
def returns_in_effect_changed(context: dg.SensorEvaluationContext, settings: SettingsResource) -> dg.RunRequest | dg.SkipReason:
    """One run per state of the archive (its run key), so a state that is being refreshed is not asked for again."""
    config = settings.get()
    in_effect = current_return_ids(accepted_receipts(config.archive_dir))
    published = published_returns(config.published_returns_path)
    if in_effect == published:
        return dg.SkipReason(f"the published figures rest on the {len(in_effect)} returns in effect")
    state = hashlib.sha256("\n".join(sorted(in_effect)).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=state, tags={"ips/new_returns": str(len(in_effect - published)),
                                              "ips/withdrawn_returns": str(len(published - in_effect))})
