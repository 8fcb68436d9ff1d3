"""Run the warehouse when new accepted returns arrive in the archive (under the Dagster daemon)."""

import hashlib

import dagster as dg

from pipelines.defs.jobs import refresh_warehouse
from pipelines.defs.resources import SettingsResource
from pipelines.returns.archive import read_receipts
from pipelines.returns.verdict import Verdict


@dg.sensor(job=refresh_warehouse, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_accepted_returns(context: dg.SensorEvaluationContext, settings: SettingsResource) -> dg.RunRequest | dg.SkipReason:
    """The cursor is the newest return id seen (ids begin with the time received), so each return triggers once."""
    receipts = [r for r in read_receipts(settings.get().archive_dir) if r.return_id > (context.cursor or "")]
    if not receipts:
        return dg.SkipReason("no new returns")
    context.update_cursor(receipts[-1].return_id)
    accepted = [r for r in receipts if r.verdict == Verdict.ACCEPTED]
    if not accepted:
        return dg.SkipReason(f"{len(receipts)} new returns, none accepted")
    run_key = hashlib.sha256("".join(r.checksum for r in accepted).encode()).hexdigest()[:16]
    sites = ", ".join(sorted({f"{r.site_id} {r.reporting_year}" for r in accepted}))
    return dg.RunRequest(run_key=run_key, tags={"ips/new_returns": sites[:200]})
