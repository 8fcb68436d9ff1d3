"""Submit one return: read it, check it once, refuse identity numbers, archive it, write its feedback.

The one entry point for a return, whoever sends it (the CLI now; the upload page later).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.returns import archive
from pipelines.returns.check import IntakeResult, check_return
from pipelines.returns.feedback import write_feedback
from pipelines.returns.reader import SubmissionError, load_submission
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

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.ACCEPTED or (self.verdict == Verdict.DUPLICATE and self.receipt is not None
                                                    and self.receipt.verdict == Verdict.ACCEPTED)


def submit(path: Path, settings: Settings) -> SubmitOutcome:
    try:
        submission = load_submission(path)
    except SubmissionError as error:
        # Not read, so not checked for identity numbers: nothing of it is kept.
        return SubmitOutcome(path, Verdict.UNREADABLE, [error.problem])

    earlier = archive.find_by_checksum(settings.archive_dir, submission.checksum)
    if earlier is not None:
        return SubmitOutcome(path, Verdict.DUPLICATE, receipt=earlier, site_and_year=(earlier.site_id, earlier.reporting_year))

    result: IntakeResult = check_return(submission)
    if result.holds_identity_number or not result.checked_for_identity_numbers:
        return SubmitOutcome(path, Verdict.REFUSED if result.holds_identity_number else Verdict.UNREADABLE, result.problems)

    verdict = Verdict.ACCEPTED if result.accepted else Verdict.REJECTED
    site_id, year = result.site_and_year
    receipt = archive.store(settings.archive_dir, submission, verdict, site_id, year, len(result.errors), len(result.warnings),
                            typed_tables=result.tables if result.accepted else None,
                            rule_counts=Counter(p.rule_id for p in result.problems))
    reports = write_feedback(settings.reports_dir, receipt.return_id, result.problems) if result.problems else []
    return SubmitOutcome(path, verdict, result.problems, receipt, reports, (site_id, year))
