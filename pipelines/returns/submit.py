"""Submit returns: read each, check it once, refuse identity numbers, archive it, write its feedback.

The one entry point for a return, whoever sends it: the CLI (``ips-monitor submit``) and the upload page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.returns import archive
from pipelines.returns.check import IntakeResult, check_returns
from pipelines.returns.feedback import Heading, write_feedback
from pipelines.returns.reader import Submission, SubmissionError, load_submission
from pipelines.returns.verdict import Verdict
from pipelines.settings import Settings
from schemas.problems import Problem

SUBMIT_BATCH = 100  # returns checked together and stored under one taking of the lock


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
    (outcome,) = next(submit_all([path], settings, uploaded_by_site=uploaded_by_site))
    return outcome


def submit_all(paths: Sequence[Path], settings: Settings, *, uploaded_by_site: str | None = None) -> Iterator[list[SubmitOutcome]]:
    """``submit`` each return, in order: the outcomes of each batch of ``SUBMIT_BATCH`` as it is done. A batch's returns
    are checked together (``check_returns``) and stored under one taking of the archive's lock."""
    for first in range(0, len(paths), SUBMIT_BATCH):
        yield _submit_batch(paths[first:first + SUBMIT_BATCH], settings, uploaded_by_site)


@dataclass
class _Checked:
    path: Path
    submission: Submission
    result: IntakeResult


def _submit_batch(paths: Sequence[Path], settings: Settings, uploaded_by_site: str | None) -> list[SubmitOutcome]:
    outcomes: dict[int, SubmitOutcome] = {}
    loaded: dict[int, tuple[Path, Submission]] = {}
    receipts = archive.read_receipts(settings.archive_dir)
    for i, path in enumerate(paths):
        try:
            submission = load_submission(path, settings.intake_limits)
        except SubmissionError as error:
            # Not read, so not checked for identity numbers: nothing of it is kept.
            outcomes[i] = SubmitOutcome(path, Verdict.UNREADABLE, [error.problem])
            continue
        duplicate = _duplicate_of(receipts, path, submission, uploaded_by_site)
        if duplicate is not None:  # known already: not checked again
            outcomes[i] = duplicate
        else:
            loaded[i] = (path, submission)

    to_store: dict[int, _Checked] = {}
    for (i, (path, submission)), result in zip(loaded.items(), check_returns([s for _, s in loaded.values()], settings.intake_limits), strict=True):
        site_id, year = result.site_and_year
        if result.holds_identity_number or not result.checked_for_identity_numbers:
            outcomes[i] = SubmitOutcome(path, Verdict.REFUSED if result.holds_identity_number else Verdict.UNREADABLE, result.problems)
        elif uploaded_by_site is not None and site_id != uploaded_by_site:
            outcomes[i] = SubmitOutcome(path, Verdict.WRONG_SITE, [Problem("verksamhet", None, "site_id", "site_not_yours", site_id)],
                                        site_and_year=(site_id, year))
        else:
            to_store[i] = _Checked(path, submission, result)

    # Deciding what each return is (a duplicate? superseding which?) and storing it is one step, one submission at a
    # time across processes: two at the same moment would otherwise both find nothing in effect, or both store.
    with archive.locked(settings.archive_dir):
        receipts = archive.read_receipts(settings.archive_dir)
        for i, checked in to_store.items():
            outcomes[i] = _store(checked, receipts, settings, uploaded_by_site)
    for i in to_store:
        if outcomes[i].verdict != Verdict.DUPLICATE and outcomes[i].problems:
            outcomes[i].report_paths = write_feedback(settings.reports_dir, outcomes[i].heading, outcomes[i].problems)
    return [outcomes[i] for i in range(len(paths))]


def _store(checked: _Checked, receipts: list[archive.Receipt], settings: Settings, uploaded_by_site: str | None) -> SubmitOutcome:
    """Store one checked return under the archive's lock; ``receipts`` (the archive's, read under the lock) gains it."""
    path, submission, result = checked.path, checked.submission, checked.result
    duplicate = _duplicate_of(receipts, path, submission, uploaded_by_site)
    if duplicate is not None:  # the same return, stored by another submission (or earlier in this one) while this was checked
        return duplicate
    site_id, year = result.site_and_year
    verdict = Verdict.ACCEPTED if result.accepted else Verdict.REJECTED
    in_effect = archive.current_returns(receipts).get((site_id, year)) if site_id and year else None
    supersedes = in_effect.return_id if in_effect is not None and verdict == Verdict.ACCEPTED else None
    receipt = archive.store(settings.archive_dir, submission, verdict, site_id, year, len(result.errors), len(result.warnings),
                            typed_tables=result.tables if result.accepted else None,
                            rule_counts=Counter(p.rule_id for p in result.problems), supersedes=supersedes,
                            awaits_confirmation=uploaded_by_site is not None and supersedes is not None)
    receipts.append(receipt)
    return SubmitOutcome(path, verdict, result.problems, receipt, site_and_year=(site_id, year),
                         checked_at=dt.datetime.fromisoformat(receipt.received_at))


def _duplicate_of(receipts: list[archive.Receipt], path: Path, submission: Submission, uploaded_by_site: str | None) -> SubmitOutcome | None:
    """The outcome of a return archived already (the same checksum), or None. An upload matches only its own site's:
    the same file as another site's is judged as a return of its own (and refused as not the uploader's)."""
    earlier = next((r for r in receipts if r.checksum == submission.checksum), None)
    if earlier is None or (uploaded_by_site is not None and earlier.site_id != uploaded_by_site):
        return None
    return SubmitOutcome(path, Verdict.DUPLICATE, receipt=earlier, site_and_year=(earlier.site_id, earlier.reporting_year))
