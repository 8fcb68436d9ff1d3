"""Insamling: the year's collection cycle as the national function follows it, as plain functions (tested without
Streamlit). Each registered site active in the reporting year gets one status from the archive's receipts, the
deadline (``Settings.deadline_of``) and the day; the sites without an accepted return make the reminder list.

Only an analyst receives any of it: ``collection``, ``collection_years`` and ``register_table`` refuse other readers,
and every change to the site register from the dashboard goes through ``change_register``, which does too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from dashboards.language import Language
from dashboards.queries import SV, require_analyst
from pipelines.access.roles import Reader
from pipelines.returns import archive
from pipelines.returns.sites import Site, active_sites, list_sites
from pipelines.settings import Settings
from seeds.reference_data import read_reference_csv


class Status(StrEnum):
    """A site's state in the year's collection, those that need the national function first."""

    OVERDUE = "overdue"  # no accepted return, and the deadline has passed
    REJECTED = "rejected"  # returns came, every one rejected; the deadline has not passed
    NOT_STARTED = "not_started"  # no return came; the deadline has not passed
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # an accepted return is in effect, and a replacement waits for the site
    ACCEPTED = "accepted"  # the return in effect is the year's first accepted one
    REPLACED = "replaced"  # the return in effect replaced an earlier accepted one

    @property
    def words(self) -> tuple[str, str]:
        """Swedish, English."""
        return {Status.OVERDUE: ("försenad", "overdue"), Status.REJECTED: ("avvisad", "rejected"),
                Status.NOT_STARTED: ("ej påbörjad", "not started"),
                Status.AWAITING_CONFIRMATION: ("väntar på bekräftelse", "awaiting confirmation"),
                Status.ACCEPTED: ("godkänd", "accepted"), Status.REPLACED: ("godkänd, ersatt", "accepted, replaced")}[self]


TO_REMIND = (Status.OVERDUE, Status.REJECTED, Status.NOT_STARTED)  # no accepted return


@dataclass(frozen=True)
class SiteStatus:
    site: Site
    status: Status
    returns_received: int  # archived for the year, accepted or rejected
    latest_event: dt.datetime | None  # the latest return received or decision (confirmed, cancelled) for the year, UTC
    replaced_on: dt.datetime | None = None  # when the return in effect replaced an earlier accepted one (REPLACED)


@dataclass(frozen=True)
class Collection:
    year: int
    deadline: dt.date
    today: dt.date
    sites: list[SiteStatus]  # the registered sites active in the year, by id
    unregistered: list[str]  # sites that sent returns for the year but are not registered as active in it


def collection(settings: Settings, reader: Reader, year: int, today: dt.date | None = None) -> Collection:
    """The collection of ``year``'s returns as it stands on ``today`` (default: today)."""
    require_analyst(reader, "the collection's follow-up")
    today = today or dt.date.today()
    receipts = [r for r in archive.read_receipts(settings.archive_dir) if r.reporting_year == year and r.site_id is not None]
    in_effect = archive.current_returns(receipts)
    past_deadline = today > settings.deadline_of(year)
    expected = active_sites(settings, year)
    statuses = [_status(site, [r for r in receipts if r.site_id == site.site_id], in_effect.get((site.site_id, year)), past_deadline)
                for site in expected]
    unregistered = sorted({str(r.site_id) for r in receipts} - {site.site_id for site in expected})
    return Collection(year, settings.deadline_of(year), today, statuses, unregistered)


def _status(site: Site, receipts: list[archive.Receipt], in_effect: archive.Receipt | None, past_deadline: bool) -> SiteStatus:
    times = [_time(r.received_at) for r in receipts] + [_time(r.decision.decided_at) for r in receipts if r.decision is not None]
    latest = max(times, default=None)
    if in_effect is None:
        status = Status.OVERDUE if past_deadline else Status.REJECTED if receipts else Status.NOT_STARTED
        return SiteStatus(site, status, len(receipts), latest)
    if any(r.awaits_confirmation and r.decision is None for r in receipts):
        return SiteStatus(site, Status.AWAITING_CONFIRMATION, len(receipts), latest)
    if in_effect.supersedes is None:
        return SiteStatus(site, Status.ACCEPTED, len(receipts), latest)
    took_effect = in_effect.decision.decided_at if in_effect.decision is not None else in_effect.received_at
    return SiteStatus(site, Status.REPLACED, len(receipts), latest, _time(took_effect))


def _time(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def collection_year(today: dt.date | None = None) -> int:
    """The reporting year being collected on ``today``: last year. A year's returns are due on a month-day of the
    year after it (``Settings.deadline_of``), so its collection opens when the year has ended and stays the one to
    follow up after the deadline, with its late returns, until the next year's opens on 1 January."""
    return (today or dt.date.today()).year - 1


def collection_years(settings: Settings, reader: Reader, published: Iterable[int] = (), today: dt.date | None = None) -> list[int]:
    """The years whose collection can be followed, newest first: every year with a return in the archive or
    ``published`` figures, and every year after the latest of them up to the year being collected (``collection_year``)
    and the next, or the year after the latest published one if later: so that a collection can be opened before
    any return for it has come in."""
    require_analyst(reader, "the collection's follow-up")
    current = collection_year(today)
    known = set(published) | {r.reporting_year for r in archive.read_receipts(settings.archive_dir) if r.reporting_year is not None}
    first, last = min(max(known, default=current), current), max([current + 1, *(year + 1 for year in published)])
    return sorted(known | set(range(first, last + 1)), reverse=True)


def status_counts(collection: Collection) -> dict[Status, int]:
    """Sites per status, every status (in ``Status``'s order)."""
    return {status: sum(s.status == status for s in collection.sites) for status in Status}


def status_text(status: SiteStatus, language: Language = SV) -> str:
    words = language.say(*status.status.words)
    if status.replaced_on is None:
        return words
    return language.say(f"godkänd (ersatt {status.replaced_on:%Y-%m-%d})", f"accepted (replaced on {status.replaced_on:%Y-%m-%d})")


def deadline_text(collection: Collection, language: Language = SV) -> str:
    days = (collection.deadline - collection.today).days
    if days >= 0:
        return language.say(f"Sista dag för rapporterna för {collection.year}: {collection.deadline} ({days} dagar kvar).",
                            f"The returns for {collection.year} are due on {collection.deadline} ({days} days left).")
    return language.say(f"Sista dag för rapporterna för {collection.year} var {collection.deadline} ({-days} dagar sedan).",
                        f"The returns for {collection.year} were due on {collection.deadline} ({-days} days ago).")


def status_board(collection: Collection, language: Language = SV) -> pl.DataFrame:
    """One row per site active in the year: its status and the time of its latest event, those needing attention first."""
    order = list(Status)
    rows = [(s.site.site_id, s.site.name, status_text(s, language), s.returns_received,
             f"{s.latest_event:%Y-%m-%d %H:%M}" if s.latest_event else "")
            for s in sorted(collection.sites, key=lambda s: order.index(s.status))]
    return pl.DataFrame(rows, orient="row", schema={
        "Id": pl.String, language.say("Verksamhet", "Site"): pl.String, "Status": pl.String,
        language.say("Inlämnade", "Received"): pl.Int64, language.say("Senaste händelse (UTC)", "Latest event (UTC)"): pl.String})


def reminder_list(collection: Collection, language: Language = SV) -> pl.DataFrame:
    """The active sites without an accepted return, with their contact e-mail (empty where the register has none)."""
    rows = [(s.site.site_id, s.site.name, status_text(s, language), s.site.email) for s in collection.sites if s.status in TO_REMIND]
    return pl.DataFrame(rows, orient="row", schema={"Id": pl.String, language.say("Verksamhet", "Site"): pl.String, "Status": pl.String,
                                                    language.say("E-post", "E-mail"): pl.String})


def municipality_names() -> dict[str, str]:
    """Municipality code -> "Name (code)", by name: for choosing a site's municipality."""
    rows = sorted(read_reference_csv("municipalities.csv"), key=lambda r: r["municipality_name_short"])
    return {r["municipality_code"]: f"{r['municipality_name_short']} ({r['municipality_code']})" for r in rows}


def register_table(settings: Settings, reader: Reader, language: Language = SV) -> pl.DataFrame:
    """Every registered site, active or not, by id."""
    require_analyst(reader, "the site register")
    municipalities = municipality_names()
    rows = [(s.site_id, s.name, municipalities[s.municipality_code], s.email, str(s.active_from), str(s.active_to or ""))
            for s in list_sites(settings)]
    return pl.DataFrame(rows, orient="row", schema={
        "Id": pl.String, language.say("Namn", "Name"): pl.String, language.say("Kommun", "Municipality"): pl.String,
        language.say("E-post", "E-mail"): pl.String, language.say("Aktiv från", "Active from"): pl.String,
        language.say("Aktiv till", "Active to"): pl.String})


def change_register(reader: Reader, change: Callable[..., Site], *args: object, **kwargs: object) -> Site:
    """``change(*args, **kwargs)`` (``sites.add_site``, ``update_site`` or ``deactivate_site``), for an analyst only, by
    whom the audit log records."""
    require_analyst(reader, "changes to the site register")
    return change(*args, **kwargs, by=reader)
