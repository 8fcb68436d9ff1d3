"""Submit one return: read it, check it once, refuse identity numbers, archive it, write its feedback.

The one entry point for a return, whoever sends it: the CLI (``ips-monitor submit``) and the upload page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.returns import archive
from pipelines.returns.check import IntakeResult, check_return
from pipelines.returns.feedback import Heading, write_feedback
from pipelines.returns.reader import Submission, SubmissionError, load_submission
from pipelines.returns.verdict import Verdict
from pipelines.settings import Settings
from schemas.problems import Problem


@dataclass
class SubmitOutcome:
    source: Path
    verdict: Verdict
    problems: list[Problem] = field(default_factory=list)
    receipt: archive.Receipt | None = None
    report_paths: list[Path] = field(default_factory=list)
    site_and_year: tuple[str | None, int | None] = (None, None)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.ACCEPTED or (self.verdict == Verdict.DUPLICATE and self.receipt is not None
                                                    and self.receipt.verdict == Verdict.ACCEPTED)

    @property
    def awaits_confirmation(self) -> bool:
        return self.receipt is not None and self.receipt.awaits_confirmation and self.receipt.decision is None

    @property
    def heading(self) -> Heading:
        site_id, year = self.site_and_year
        return Heading(site_id, year, self.source.name, self.checked_at, self.verdict)


def submit(path: Path, settings: Settings, *, uploaded_by_site: str | None = None) -> SubmitOutcome:
    """``uploaded_by_site``: the signed-in site of an upload in the browser. Its return must be its own (one for
    another site is refused and kept nowhere), and an accepted return that would supersede the one in effect
    waits for the site's confirmation (``archive.decide``)."""
    try:
        submission = load_submission(path, settings.intake_limits)
    except SubmissionError as error:
        # Not read, so not checked for identity numbers: nothing of it is kept.
        return SubmitOutcome(path, Verdict.UNREADABLE, [error.problem])

    duplicate = _duplicate_of(settings.archive_dir, path, submission, uploaded_by_site)
    if duplicate is not None:  # known already: not checked again
        return duplicate

    result: IntakeResult = check_return(submission, settings.intake_limits)
    if result.holds_identity_number or not result.checked_for_identity_numbers:
        return SubmitOutcome(path, Verdict.REFUSED if result.holds_identity_number else Verdict.UNREADABLE, result.problems)
    site_id, year = result.site_and_year
    if uploaded_by_site is not None and site_id != uploaded_by_site:
        return SubmitOutcome(path, Verdict.WRONG_SITE, [Problem("verksamhet", None, "site_id", "site_not_yours", site_id)],
                             site_and_year=(site_id, year))

    verdict = Verdict.ACCEPTED if result.accepted else Verdict.REJECTED
    # Deciding what this return is (a duplicate? superseding which?) and storing it is one step, one submission at a
    # time across processes: two at the same moment would otherwise both find nothing in effect, or both store.
    with archive.locked(settings.archive_dir):
        duplicate = _duplicate_of(settings.archive_dir, path, submission, uploaded_by_site)
        if duplicate is not None:  # the same return, stored by another submission while this one was checked
            return duplicate
        in_effect = archive.current_returns(archive.read_receipts(settings.archive_dir)).get((site_id, year)) if site_id and year else None
        supersedes = in_effect.return_id if in_effect is not None and verdict == Verdict.ACCEPTED else None
        receipt = archive.store(settings.archive_dir, submission, verdict, site_id, year, len(result.errors), len(result.warnings),
                                typed_tables=result.tables if result.accepted else None,
                                rule_counts=Counter(p.rule_id for p in result.problems), supersedes=supersedes,
                                awaits_confirmation=uploaded_by_site is not None and supersedes is not None)
    outcome = SubmitOutcome(path, verdict, result.problems, receipt, site_and_year=(site_id, year),
                            checked_at=dt.datetime.fromisoformat(receipt.received_at))
    if result.problems:
        outcome.report_paths = write_feedback(settings.reports_dir, outcome.heading, result.problems)
    return outcome


def _duplicate_of(archive_dir: Path, path: Path, submission: Submission, uploaded_by_site: str | None) -> SubmitOutcome | None:
    """The outcome of a return archived already (the same checksum), or None. An upload matches only its own site's:
    the same file as another site's is judged as a return of its own (and refused as not the uploader's)."""
    earlier = archive.find_by_checksum(archive_dir, submission.checksum)
    if earlier is None or (uploaded_by_site is not None and earlier.site_id != uploaded_by_site):
        return None
    return SubmitOutcome(path, Verdict.DUPLICATE, receipt=earlier, site_and_year=(earlier.site_id, earlier.reporting_year))
