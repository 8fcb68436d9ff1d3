"""A return uploaded in the browser: handed to the same ``submit`` as the command line, bound to the signed-in site,
and its problems summarised as the site reads them. Each upload, confirmation and cancellation (and each refused for
the reader's role) is recorded in the audit log: who, the site, the year, the return's id and the verdict; nothing
of the files."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath

import polars as pl

from dashboards.language import Language
from pipelines import audit
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.returns import archive
from pipelines.returns.change_summary import ChangeSummary, change_summary
from pipelines.returns.feedback import SEVERITY_TAG
from pipelines.returns.submit import SubmitOutcome, submit
from pipelines.returns.verdict import Verdict
from pipelines.settings import Settings
from schemas.problems import Problem
from schemas.rules import rule


def submit_upload(files: Sequence[tuple[str, bytes]], settings: Settings, reader: Reader) -> SubmitOutcome:
    """The uploaded files as a return: one .zip or .xlsx as it is, several CSV files as a folder. Only a site may
    upload, and only its own return (``submit`` refuses another site's and keeps nothing of it)."""
    if reader.role != Role.SITE or reader.site_id is None:
        audit.record_by(settings, reader, audit.Action.UPLOAD, outcome=audit.Outcome.DENIED, detail={"count": len(files)})
        raise PermissionError(f"{reader.username} ({reader.role}) may not upload returns")
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        names = sorted(PurePath(name).name for name, _ in files)  # the name only: never a path of the sender's choosing
        upload = Path(folder) / ", ".join(names)[:200]  # as the receipt and the report name the return: by its files
        upload.mkdir()
        for name, content in files:
            (upload / PurePath(name).name).write_bytes(content)
        single = next(iter(upload.iterdir())) if len(files) == 1 else None
        path = single if single is not None and single.suffix.lower() in (".zip", ".xlsx") else upload
        outcome = submit(path, settings, uploaded_by_site=reader.site_id)
    _record_upload(settings, reader, outcome)
    return outcome


def _record_upload(settings: Settings, reader: Reader, outcome: SubmitOutcome) -> None:
    """The audit log's entry of an upload: the uploader's site, the year, the return's id (for a duplicate, the earlier
    one's) and the verdict."""
    receipt = outcome.receipt
    audit.record_by(settings, reader, audit.Action.UPLOAD, outcome=outcome.verdict, site_id=reader.site_id, year=outcome.site_and_year[1],
                    subject=receipt.return_id if receipt is not None else None,
                    detail={"awaits_confirmation": True if outcome.awaits_confirmation else None,
                            "supersedes": receipt.supersedes if receipt is not None and outcome.verdict == Verdict.ACCEPTED else None})


def _own_return(reader: Reader, settings: Settings, return_id: str) -> archive.Receipt:
    """A return of the reader's own site: a site sees and decides only its own uploads."""
    receipt = archive.find(settings.archive_dir, return_id)
    if reader.role != Role.SITE or receipt.site_id != reader.site_id:
        raise AccessDenied(reader, f"return {return_id}")
    return receipt


def summarise(reader: Reader, settings: Settings, return_id: str) -> ChangeSummary:
    """What the reader's own upload, awaiting confirmation, would change."""
    return change_summary(settings, _own_return(reader, settings, return_id))


def decide(reader: Reader, settings: Settings, return_id: str, confirmed: bool) -> archive.Receipt:
    """The reader's confirmation or cancellation of its own upload, recorded in the audit log (a refusal too)."""
    action = audit.Action.CONFIRM if confirmed else audit.Action.CANCEL
    try:
        _own_return(reader, settings, return_id)
    except AccessDenied:
        audit.record_by(settings, reader, action, outcome=audit.Outcome.DENIED, site_id=reader.site_id, subject=return_id)
        raise
    receipt = archive.decide(settings.archive_dir, return_id, confirmed, by=reader.username)
    audit.record_by(settings, reader, action, site_id=receipt.site_id, year=receipt.reporting_year, subject=receipt.return_id,
                    detail={"supersedes": receipt.supersedes})
    return receipt


def rule_counts(counts: Mapping[str, int], language: Language) -> pl.DataFrame:
    """An earlier return's problems as its receipt counts them, by rule."""
    return _by_rule([(rule_id, count) for rule_id, count in sorted(counts.items())], language)


def problems_by_rule(problems: list[Problem], language: Language) -> pl.DataFrame:
    """Table, rule, severity, how many and what it means: the problems grouped as a site fixes them, by table."""
    counts = sorted(Counter((p.table, p.rule_id) for p in problems).items())
    return _by_rule([(rule_id, count) for (_, rule_id), count in counts], language).insert_column(
        0, pl.Series(language.say("Tabell", "Table"), [table for (table, _), _ in counts], pl.String))


def _by_rule(counts: list[tuple[str, int]], language: Language) -> pl.DataFrame:
    return pl.DataFrame(
        [(SEVERITY_TAG[rule(rule_id).severity], rule_id, count, language.say(rule(rule_id).sv, rule(rule_id).en)) for rule_id, count in counts],
        schema={language.say("Allvarlighet", "Severity"): pl.String, language.say("Regel", "Rule"): pl.String,
                language.say("Antal", "Count"): pl.Int64,
                language.say("Vad som är fel och hur det rättas", "What is wrong and how to fix it"): pl.String},
        orient="row")


def problem_list(problems: list[Problem], language: Language) -> pl.DataFrame:
    """Every problem with where it is: table, row, column and the value found."""
    return pl.DataFrame(
        [(p.table, p.row, p.column, p.value, p.rule_id, language.say(p.message_sv, p.message_en)) for p in problems],
        schema={language.say("Tabell", "Table"): pl.String, language.say("Rad", "Row"): pl.Int64,
                language.say("Kolumn", "Column"): pl.String, language.say("Värde", "Value"): pl.String,
                language.say("Regel", "Rule"): pl.String, language.say("Meddelande", "Message"): pl.String},
        orient="row")
