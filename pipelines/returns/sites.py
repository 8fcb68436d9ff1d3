"""The register of IPS sites: who is expected to send a return, where they are, whom to remind, and since when.

It is ``Settings.sites_path`` in the data home, never in the repository, kept as the users file is: JSON only its
owner may read (mode 0600), rewritten whole and swapped in atomically under a lock of its own, so a reader sees
the old file or the new one and two changes cannot lose each other. The national function keeps it with
``ips-monitor sites`` or on the dashboard's collection page; a return sent with the CLI from a site not yet in it
registers the site from its ``verksamhet`` row (``register_from_return``). Each change is recorded in the audit log
(``pipelines.audit``): the site, what kind of change and the names of the fields changed, and who made it (``by``, a
reader; None is the command line's user).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypedDict, Unpack

from pipelines import audit
from pipelines.access.messages import Message, invalid_site_id
from pipelines.access.roles import Reader
from pipelines.private_files import locked, write_private_json
from pipelines.settings import Settings
from schemas.tables import SITE_ID
from seeds.reference_data import municipality_codes

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True)
class Site:
    site_id: str  # IPS and four digits, as in the returns
    name: str
    municipality_code: str  # SCB's four digits
    email: str  # the contact for reminders; "" until known
    active_from: dt.date
    active_to: dt.date | None = None  # the last day it runs; None while it does

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    def active_in(self, year: int) -> bool:
        """Active on any day of ``year``: then a return for the year is expected of it."""
        return self.active_from <= dt.date(year, 12, 31) and (self.active_to is None or dt.date(year, 1, 1) <= self.active_to)


class SiteChanges(TypedDict, total=False):
    """What ``update_site`` may change: any field but the id."""

    name: str
    municipality_code: str
    email: str
    active_from: dt.date
    active_to: dt.date | None


class SiteError(ValueError):
    """A change to the site register that cannot be made; ``str()`` is the Swedish / English message."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def unknown_site(site_id: str) -> Message:
    return Message(f"verksamheten {site_id!r} finns inte i registret", f"there is no site {site_id!r} in the register")


def site_exists(site_id: str) -> Message:
    return Message(f"verksamheten {site_id!r} finns redan i registret", f"site {site_id!r} is already in the register")


def unknown_municipality(code: str) -> Message:
    return Message(f"okänd kommunkod {code!r}: fyra siffror enligt SCB, t.ex. 2184", f"unknown municipality code {code!r}: SCB's four digits, e.g. 2184")


def invalid_email(email: str) -> Message:
    return Message(f"ogiltig e-postadress {email!r}", f"invalid e-mail address {email!r}")


def ends_before_start(active_from: dt.date, active_to: dt.date) -> Message:
    return Message(f"slutdatumet {active_to} ligger före startdatumet {active_from}", f"the end date {active_to} is before the start date {active_from}")


NAME_MISSING = Message("verksamhetens namn saknas", "the site's name is missing")


def registered_from_return(site: Site) -> Message:
    return Message(f"varning: {site.site_id} fanns inte i verksamhetsregistret och har lagts till från sin rapport ({site.name}); "
                   "lägg till en kontaktadress med `ips-monitor sites update`",
                   f"warning: {site.site_id} was not in the site register and has been added from its return ({site.name}); "
                   "add a contact e-mail with `ips-monitor sites update`")


def list_sites(settings: Settings) -> list[Site]:
    """Every registered site, active or not, by id."""
    return sorted(_load(settings).values(), key=lambda site: site.site_id)


def find_site(settings: Settings, site_id: str) -> Site | None:
    return _load(settings).get(site_id)


def active_sites(settings: Settings, on: dt.date | int) -> list[Site]:
    """The sites active on a day, or (a year) on any day of it, by id."""
    return [site for site in list_sites(settings) if (site.active_in(on) if isinstance(on, int) else site.active_on(on))]


def add_site(settings: Settings, site_id: str, name: str, municipality_code: str, email: str = "",
             active_from: dt.date | None = None, *, by: Reader | None = None) -> Site:
    """Register a site; ``active_from`` is today unless given."""
    return _add(settings, Site(site_id, name, municipality_code, email, active_from or dt.date.today()), by, "add")


def update_site(settings: Settings, site_id: str, *, by: Reader | None = None, **changes: Unpack[SiteChanges]) -> Site:
    """Change the fields given: ``update_site(settings, "IPS0042", email="...", active_to=None)`` (None: active again)."""
    return _update(settings, site_id, changes, by, "update")


def deactivate_site(settings: Settings, site_id: str, on: dt.date | None = None, *, by: Reader | None = None) -> Site:
    """The site runs no more after ``on`` (today unless given)."""
    return _update(settings, site_id, SiteChanges(active_to=on or dt.date.today()), by, "deactivate")


def register_from_return(settings: Settings, verksamhet_row: Mapping[str, object], *, by: Reader | None = None) -> Site | None:
    """Register the site of an accepted return from its ``verksamhet`` row (active from its start date, no contact
    e-mail yet); None when it is registered already."""
    added = register_from_returns(settings, [verksamhet_row], by=by)
    return added[0] if added else None


def register_from_returns(settings: Settings, verksamhet_rows: Sequence[Mapping[str, object]], *, by: Reader | None = None) -> list[Site]:
    """``register_from_return`` for many returns, with one reading and one writing of the register: the sites added,
    each once (a site registered already, or meanwhile, is left as it is)."""
    if not verksamhet_rows:
        return []
    found: dict[str, Site] = {}
    for row in verksamhet_rows:
        start_date = row["start_date"]
        assert isinstance(start_date, dt.date)
        site = _checked(Site(str(row["site_id"]), str(row["site_name"]), str(row["municipality_code"]), "", start_date))
        found.setdefault(site.site_id, site)
    with _register_lock(settings):
        sites = _load(settings)
        added = [site for site_id, site in found.items() if site_id not in sites]
        if added:
            _save(settings, {**sites, **{site.site_id: site for site in added}})
    for site in added:
        audit.record_by(settings, by, audit.Action.SITE_CHANGE, site_id=site.site_id, detail={"change": "register_from_return"})
    return added


def _add(settings: Settings, site: Site, by: Reader | None, change: str) -> Site:
    site = _checked(site)
    with _register_lock(settings):
        sites = _load(settings)
        if site.site_id in sites:
            raise SiteError(site_exists(site.site_id))
        _save(settings, {**sites, site.site_id: site})
    audit.record_by(settings, by, audit.Action.SITE_CHANGE, site_id=site.site_id, detail={"change": change})
    return site


def _update(settings: Settings, site_id: str, changes: SiteChanges, by: Reader | None, change: str) -> Site:
    with _register_lock(settings):
        sites = _load(settings)
        if site_id not in sites:
            raise SiteError(unknown_site(site_id))
        site = _checked(dataclasses.replace(sites[site_id], **changes))
        _save(settings, {**sites, site_id: site})
    audit.record_by(settings, by, audit.Action.SITE_CHANGE, site_id=site_id, detail={"change": change, "fields": ",".join(sorted(changes))})
    return site


def _checked(site: Site) -> Site:
    """The site with its text stripped, or SiteError."""
    site = dataclasses.replace(site, site_id=site.site_id.strip(), name=site.name.strip(), municipality_code=site.municipality_code.strip(),
                               email=site.email.strip())
    if not SITE_ID.fullmatch(site.site_id):
        raise SiteError(invalid_site_id(site.site_id))
    if not site.name:
        raise SiteError(NAME_MISSING)
    if site.municipality_code not in municipality_codes():
        raise SiteError(unknown_municipality(site.municipality_code))
    if site.email and not EMAIL.fullmatch(site.email):
        raise SiteError(invalid_email(site.email))
    if site.active_to is not None and site.active_to < site.active_from:
        raise SiteError(ends_before_start(site.active_from, site.active_to))
    return site


def _load(settings: Settings) -> dict[str, Site]:
    if not settings.sites_path.exists():
        return {}
    stored = json.loads(settings.sites_path.read_text(encoding="utf-8"))
    sites = (Site(s["site_id"], s["name"], s["municipality_code"], s["email"], dt.date.fromisoformat(s["active_from"]),
                  dt.date.fromisoformat(s["active_to"]) if s["active_to"] else None) for s in stored["sites"])
    return {site.site_id: site for site in sites}


def _save(settings: Settings, sites: dict[str, Site]) -> None:
    rows = [{**dataclasses.asdict(site), "active_from": site.active_from.isoformat(),
             "active_to": site.active_to.isoformat() if site.active_to else None} for site in sorted(sites.values(), key=lambda s: s.site_id)]
    write_private_json(settings.sites_path, {"sites": rows})


@contextmanager
def _register_lock(settings: Settings) -> Iterator[None]:
    """Held while the register is read, changed and written back, by any process or thread."""
    with locked(settings.sites_path.with_name(".sites.lock")):
        yield
