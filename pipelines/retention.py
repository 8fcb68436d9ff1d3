"""Retention (``ips-monitor retention --keep-years N``): the participant-level data of old reporting years removed, the
figures published about them kept.

A reporting year is kept while it is one of the last N years: year Y goes when Y < this year - N (in 2026, with N = 5,
the years up to 2020). For each year that goes:

- every archived return of it, accepted or rejected, loses its files and typed tables; its receipt stays (who sent what
  when, and the verdict: no participant value), with ``removed.json`` beside it saying when, by whom and why
  (``archive.remove_participant_data``), so the archive still accounts for every return it was sent;
- the feedback reports about those returns go (they quote cell values);
- their rows in the warehouse and in the site-level snapshot go with the run that follows (the site-years are stale);
- the published figures stay: before anything is removed, every published table's rows of those years are copied from
  the published snapshot into ``Settings.retained_dir`` (a Parquet file per table), which dbt puts back beside what it
  computes (macro ``with_retained``), so the dashboard, the exports and the annual report show those years as published.

Each step can be taken again, so a retention stopped halfway is finished by running it again. Nothing is removed unless
the published figures rest on the archive's returns in effect (the last run is current), and never while a run is under way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.private_files import write_atomically
from pipelines.returns import archive
from pipelines.returns.accepted import accepted_receipts, current_return_ids
from pipelines.settings import Settings

# A feedback report's name: <site or okand>_<year or okant>_<verdict>_<checked at, UTC> (``feedback.Heading.stem``)
_REPORT_NAME = re.compile(r"^[^_]+_(?P<year>\d{4}|okant)_[a-z_]+_(?P<checked>\d{8}T\d{6})\.(csv|xlsx)$")


JOURNAL = "retention.json"  # in retained_dir while a retention is under way: the first year it keeps


class RetentionRefused(Exception):
    """Nothing was changed; the message says why, in Swedish and English."""


@dataclass(frozen=True)
class RetentionPlan:
    settings: Settings
    first_kept_year: int
    returns: list[archive.Receipt]  # whose participant-level data goes (or, stopped halfway before, still has to)
    reports: list[Path]  # feedback reports about returns of the years that go
    retained_rows: dict[str, int]  # published table -> its rows of the years that go, kept in retained_dir
    resumed: bool  # finishing a retention stopped halfway: its figures are kept already

    @property
    def years(self) -> list[int]:
        return sorted({entry_year(r) for r in self.returns})

    def returns_per_year(self) -> dict[int, int]:
        return dict(sorted(Counter(entry_year(r) for r in self.returns).items()))


def entry_year(receipt: archive.Receipt) -> int:
    """The reporting year a return is about; one whose year could not be read counts as the year collected when it came."""
    if receipt.reporting_year is not None:
        return receipt.reporting_year
    return dt.datetime.fromisoformat(receipt.received_at).year - 1


def first_kept_year(keep_years: int, today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year - keep_years


def unfinished(settings: Settings) -> int | None:
    """The first year kept by a retention stopped before its run had finished, if there is one."""
    journal = settings.retained_dir / JOURNAL
    return int(json.loads(journal.read_text(encoding="utf-8"))["first_kept_year"]) if journal.is_file() else None


def plan_retention(settings: Settings, keep_years: int, today: dt.date | None = None) -> RetentionPlan:
    """What a retention keeping ``keep_years`` years removes and keeps; nothing is changed."""
    if keep_years < 1:
        raise RetentionRefused("--keep-years måste vara minst 1 / --keep-years must be at least 1")
    first_kept = first_kept_year(keep_years, today)
    resumed = unfinished(settings)
    if resumed is not None and resumed != first_kept:
        raise RetentionRefused(f"en gallring som behåller åren från {resumed} avbröts: gör klart den först, med samma --keep-years / "
                               f"a retention keeping the years from {resumed} was stopped: finish it first, with the same --keep-years")
    _refuse_during_a_run(settings)
    going = [r for r in archive.read_receipts(settings.archive_dir)
             if entry_year(r) < first_kept and archive.holds_participant_data(settings.archive_dir, r)]
    reports = sorted(p for p in settings.reports_dir.glob("*") if (_report_year(p) or first_kept) < first_kept)
    if resumed is None and (going or reports):
        _require_current_figures(settings)
    kept = _published_rows_before(settings.published_path, first_kept) if going or reports else {}
    return RetentionPlan(settings, first_kept, going, reports, kept, resumed is not None)


def _report_year(path: Path) -> int | None:
    match = _REPORT_NAME.match(path.name)
    if match is None:
        return None
    return int(match["year"]) if match["year"] != "okant" else int(match["checked"][:4]) - 1


def _refuse_during_a_run(settings: Settings) -> None:
    from pipelines.rebuild import runs_under_way

    under_way = runs_under_way(settings)
    if under_way:
        raise RetentionRefused(f"en körning pågår, vänta tills den är klar / a run is under way, wait until it has finished: "
                               f"{', '.join(under_way)}")


def _require_current_figures(settings: Settings) -> None:
    """The published figures must rest on exactly the returns in effect, or those of the years that go would be kept
    as they were before the last returns came."""
    published = (json.loads(settings.published_returns_path.read_text(encoding="utf-8"))
                 if settings.published_returns_path.is_file() and settings.published_path.is_file() else None)
    if published is None or set(published) != current_return_ids(accepted_receipts(settings.archive_dir)):
        raise RetentionRefused("de publicerade siffrorna vilar inte på rapporterna som gäller nu: kör `ips-monitor run` först / "
                               "the published figures do not rest on the returns in effect: run `ips-monitor run` first")


def _published_rows_before(published_path: Path, first_kept: int) -> dict[str, int]:
    """Per published table with a reporting year, its rows of the years before ``first_kept``."""
    if not published_path.is_file():
        return {}
    with duckdb.connect(str(published_path), read_only=True) as connection:
        return {name: connection.execute(f"select count(*) from main.{name} where reporting_year < ?", [first_kept]).fetchone()[0]  # type: ignore[index]
                for name in _tables_with_reporting_year(connection)}


def _tables_with_reporting_year(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in connection.execute(
        "select table_name from information_schema.columns where table_schema = 'main' and column_name = 'reporting_year' "
        "order by table_name").fetchall()]


def retain(plan: RetentionPlan, removed_by: str) -> None:
    """Keep the published figures of the years that go, then remove their participant-level data from the archive and
    the reports. The run that follows (``refresh_in_process``) takes their rows out of the warehouse and the snapshots;
    ``finished`` is called when it has."""
    settings = plan.settings
    if not plan.resumed:
        _keep_published_figures(settings, plan.first_kept_year)
        write_atomically(settings.retained_dir / JOURNAL, json.dumps({"first_kept_year": plan.first_kept_year}).encode(), 0o600)
    removal = archive.Removal(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), removed_by, plan.first_kept_year)
    with archive.locked(settings.archive_dir):  # what is in effect changes: not while a submission finds it
        for receipt in plan.returns:
            archive.remove_participant_data(settings.archive_dir, receipt.return_id, receipt.removed or removal)
    for report in plan.reports:
        report.unlink(missing_ok=True)


def finished(settings: Settings) -> None:
    """The run after a retention has published without the years that went: the retention is done."""
    (settings.retained_dir / JOURNAL).unlink(missing_ok=True)


def _keep_published_figures(settings: Settings, first_kept: int) -> None:
    """Each published table's rows of the years before ``first_kept``, from the published snapshot (which holds those
    retained before too), written whole to retained_dir and swapped in."""
    if not settings.published_path.is_file():
        return
    settings.retained_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        for name in _tables_with_reporting_year(connection):
            target = settings.retained_dir / f"{name}.parquet"
            incoming = target.with_name(f".{target.name}.incoming")
            connection.execute(f"copy (select * from main.{name} where reporting_year < ? order by all) to '{incoming}' (format parquet)",
                               [first_kept])
            os.replace(incoming, target)
