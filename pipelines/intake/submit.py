"""Submit one return: check it, refuse identity numbers, archive it, write its feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.intake import archive
from pipelines.intake.reader import SubmissionError, load_submission
from pipelines.intake.report import write_report
from pipelines.intake.validate import IntakeResult, check_return
from pipelines.settings import Settings
from schemas.problems import Problem


@dataclass
class SubmitOutcome:
    source: Path
    verdict: str  # accepted, rejected, refused (identity number: nothing kept), duplicate, unreadable
    problems: list[Problem] = field(default_factory=list)
    receipt: archive.Receipt | None = None
    report_paths: list[Path] = field(default_factory=list)
    site_and_year: tuple[str | None, int | None] = (None, None)

    @property
    def ok(self) -> bool:
        return self.verdict == "accepted" or (self.verdict == "duplicate" and self.receipt is not None
                                               and self.receipt.verdict == "accepted")


def submit(path: Path, settings: Settings) -> SubmitOutcome:
    try:
        submission = load_submission(path)
    except SubmissionError as error:
        # Not read, so not checked for identity numbers: nothing of it is kept.
        return SubmitOutcome(path, "unreadable", [error.problem])

    earlier = archive.find_by_checksum(settings.archive_dir, submission.checksum)
    if earlier is not None:
        return SubmitOutcome(path, "duplicate", receipt=earlier, site_and_year=(earlier.site_id, earlier.reporting_year))

    result: IntakeResult = check_return(submission)
    if result.holds_identity_number or not result.checked_for_identity_numbers:
        verdict = "refused" if result.holds_identity_number else "unreadable"
        return SubmitOutcome(path, verdict, result.problems)

    verdict = "accepted" if result.accepted else "rejected"
    site_id, year = result.site_and_year
    receipt = archive.store(settings.archive_dir, submission, verdict, site_id, year,
                            len(result.errors), len(result.warnings))
    reports = write_report(settings.reports_dir, receipt.return_id, result.problems) if result.problems else []
    return SubmitOutcome(path, verdict, result.problems, receipt, reports, (site_id, year))
