"""Run the warehouse when new accepted returns arrive in the archive (under `dagster dev`)."""

import hashlib

import dagster as dg

from pipelines.intake.archive import read_receipts
from pipelines.resources import DataHome


@dg.sensor(target=dg.AssetSelection.all(), minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_accepted_returns(context: dg.SensorEvaluationContext, data_home: DataHome):
    """The cursor is the newest return id seen (ids begin with the time received), so each return triggers once."""
    receipts = [r for r in read_receipts(data_home.settings().archive_dir) if r.return_id > (context.cursor or "")]
    if not receipts:
        return dg.SkipReason("no new returns")
    context.update_cursor(receipts[-1].return_id)
    accepted = [r for r in receipts if r.verdict == "accepted"]
    if not accepted:
        return dg.SkipReason(f"{len(receipts)} new returns, none accepted")
    run_key = hashlib.sha256("".join(r.checksum for r in accepted).encode()).hexdigest()[:16]
    sites = ", ".join(sorted({f"{r.site_id} {r.reporting_year}" for r in accepted}))
    return dg.RunRequest(run_key=run_key, tags={"ips/new_returns": sites[:200]})
