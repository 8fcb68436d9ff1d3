"""The collection board: each registered site's status for a year, computed by hand from tiny returns submitted into
a temporary data home; the reminder list; who may receive it; the page under AppTest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import cycle
from dashboards.cycle import Status
from dashboards.downloads import csv_bytes
from dashboards.language import Language
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.returns import archive
from pipelines.returns.sites import add_site, deactivate_site, find_site, list_sites
from pipelines.returns.submit import submit
from pipelines.settings import DASHBOARD_APP, DEADLINE_ENV, HOME_ENV, Settings, load_settings
from tests.test_sites import one_participant_return

ANALYST = Reader("analyst", Role.ANALYST)
VIEWER = Reader("ministry", Role.VIEWER)
SITE = Reader("samordnare", Role.SITE, "IPS0001")
DEADLINE_DAY, DAY_AFTER = dt.date(2026, 3, 31), dt.date(2026, 4, 1)  # the 2025 returns are due on 03-31 of 2026 by default
D = dt.date.fromisoformat


@dataclass
class Cycle:
    settings: Settings
    events: dict[str, list[dt.datetime]] = field(default_factory=dict)  # site -> the time of each return received and decision
    took_effect: dict[str, dt.datetime] = field(default_factory=dict)  # site -> when its replacement took effect

    def send(self, site_id: str, folder: Path, sex: str = "K", by_site: bool = False, year: int = 2025) -> archive.Receipt:
        outcome = submit(one_participant_return(site_id, folder / f"{site_id}-{len(list(folder.iterdir()))}", sex=sex, year=year),
                         self.settings, uploaded_by_site=site_id if by_site else None)
        assert outcome.receipt is not None, outcome.problems
        if year == 2025:
            self.events.setdefault(site_id, []).append(dt.datetime.fromisoformat(outcome.receipt.received_at))
        return outcome.receipt

    def decide(self, receipt: archive.Receipt, confirmed: bool) -> archive.Receipt:
        decided = archive.decide(self.settings.archive_dir, receipt.return_id, confirmed, by="samordnare")
        assert decided.decision is not None and receipt.site_id is not None
        self.events[receipt.site_id].append(dt.datetime.fromisoformat(decided.decision.decided_at))
        return decided


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Cycle:
    """Eight sites active in 2025, one in each state (accepted more than once), and four that are not expected."""
    home, returns = tmp_path_factory.mktemp("cycle-home"), tmp_path_factory.mktemp("cycle-returns")
    done = Cycle(load_settings(home))
    for n in (1, 2, 3, 4, 5, 6, 7, 8):
        add_site(done.settings, f"IPS000{n}", f"Verksamhet {n}", "0180", "" if n == 3 else f"ips{n}@exempel.se", D("2020-01-01"))
    add_site(done.settings, "IPS0010", "Avslutad", "0180", "slut@exempel.se", D("2018-01-01"))
    add_site(done.settings, "IPS0011", "Ny", "0180", "ny@exempel.se", D("2026-01-01"))
    deactivate_site(done.settings, "IPS0010", D("2024-12-31"))

    done.send("IPS0001", returns)  # accepted
    assert done.send("IPS0002", returns, sex="kvinna").verdict == "rejected"  # rejected
    done.send("IPS0003", returns, year=2024)  # not started: its return is for another year
    done.send("IPS0004", returns)  # replaced with the CLI: takes effect at once
    done.took_effect["IPS0004"] = dt.datetime.fromisoformat(done.send("IPS0004", returns, sex="M").received_at)
    done.send("IPS0005", returns)  # a replacement uploaded, waiting for the site
    assert done.send("IPS0005", returns, sex="M", by_site=True).awaits_confirmation
    done.send("IPS0006", returns)  # a replacement uploaded and confirmed
    confirmed = done.decide(done.send("IPS0006", returns, sex="M", by_site=True), confirmed=True)
    assert confirmed.decision is not None
    done.took_effect["IPS0006"] = dt.datetime.fromisoformat(confirmed.decision.decided_at)
    done.send("IPS0007", returns)  # a replacement uploaded and cancelled: the first return stands
    done.decide(done.send("IPS0007", returns, sex="M", by_site=True), confirmed=False)
    for sex in ("kvinna", "K", "man"):  # rejected, accepted, rejected again: the accepted one stands
        done.send("IPS0008", returns, sex=sex)
    done.send("IPS0009", returns)  # not in the register
    done.send("IPS0010", returns)  # in the register, but ended before 2025
    return done


def test_each_sites_status_and_latest_event_on_the_deadline_day(collected):
    collection = cycle.collection(collected.settings, ANALYST, 2025, today=DEADLINE_DAY)
    assert collection.deadline == DEADLINE_DAY
    statuses = {s.site.site_id: s for s in collection.sites}
    assert {site: s.status for site, s in statuses.items()} == {
        "IPS0001": Status.ACCEPTED, "IPS0002": Status.REJECTED, "IPS0003": Status.NOT_STARTED, "IPS0004": Status.REPLACED,
        "IPS0005": Status.AWAITING_CONFIRMATION, "IPS0006": Status.REPLACED, "IPS0007": Status.ACCEPTED, "IPS0008": Status.ACCEPTED}
    assert {site: s.returns_received for site, s in statuses.items()} == {
        "IPS0001": 1, "IPS0002": 1, "IPS0003": 0, "IPS0004": 2, "IPS0005": 2, "IPS0006": 2, "IPS0007": 2, "IPS0008": 3}
    # the latest return received or decision (a decision's time is kept to the second, a receipt's to the microsecond)
    assert {site: s.latest_event for site, s in statuses.items()} == {
        site: max(collected.events[site]) if site in collected.events else None for site in statuses}
    assert {site: s.replaced_on for site, s in statuses.items() if s.replaced_on} == collected.took_effect
    assert collection.unregistered == ["IPS0009", "IPS0010"]

    assert cycle.status_counts(collection) == {Status.OVERDUE: 0, Status.REJECTED: 1, Status.NOT_STARTED: 1, Status.AWAITING_CONFIRMATION: 1,
                                               Status.ACCEPTED: 3, Status.REPLACED: 2}
    assert cycle.reminder_list(collection).rows() == [("IPS0002", "Verksamhet 2", "avvisad", "ips2@exempel.se"),
                                                      ("IPS0003", "Verksamhet 3", "ej påbörjad", "")]
    assert "(0 dagar kvar)" in cycle.deadline_text(collection)
    # to download as Swedish Excel reads CSV: semicolons, UTF-8 with a byte-order mark
    assert csv_bytes(cycle.reminder_list(collection)).decode("utf-8-sig").splitlines() == [
        "Id;Verksamhet;Status;E-post", "IPS0002;Verksamhet 2;avvisad;ips2@exempel.se", "IPS0003;Verksamhet 3;ej påbörjad;"]


def test_the_day_after_the_deadline_a_site_without_an_accepted_return_is_overdue(collected):
    collection = cycle.collection(collected.settings, ANALYST, 2025, today=DAY_AFTER)
    assert cycle.status_counts(collection) == {Status.OVERDUE: 2, Status.REJECTED: 0, Status.NOT_STARTED: 0, Status.AWAITING_CONFIRMATION: 1,
                                               Status.ACCEPTED: 3, Status.REPLACED: 2}
    assert cycle.reminder_list(collection, Language.EN).rows() == [("IPS0002", "Verksamhet 2", "overdue", "ips2@exempel.se"),
                                                                   ("IPS0003", "Verksamhet 3", "overdue", "")]
    board = cycle.status_board(collection, Language.EN)
    assert board.columns == ["Id", "Site", "Status", "Received", "Latest event (UTC)"]
    assert board.get_column("Id").to_list() == ["IPS0002", "IPS0003", "IPS0005", "IPS0001", "IPS0007", "IPS0008", "IPS0004", "IPS0006"]
    replaced = board.filter(Id="IPS0006").row(0, named=True)
    assert replaced["Status"] == f"accepted (replaced on {collected.took_effect['IPS0006']:%Y-%m-%d})"
    assert replaced["Latest event (UTC)"] == f"{collected.took_effect['IPS0006']:%Y-%m-%d %H:%M}"
    assert board.filter(Id="IPS0003").row(0, named=True)["Latest event (UTC)"] == ""
    assert "(1 days ago)" in cycle.deadline_text(collection, Language.EN)


def test_another_year_and_the_deadline_setting(collected, monkeypatch):
    collection = cycle.collection(collected.settings, ANALYST, 2024, today=DAY_AFTER)  # 2024's returns were due 2025-03-31
    assert collection.deadline == D("2025-03-31")
    assert {s.site.site_id: s.status for s in collection.sites if s.status != Status.OVERDUE} == {"IPS0003": Status.ACCEPTED}
    assert [s.site.site_id for s in collection.sites] == ["IPS0001", "IPS0002", "IPS0003", "IPS0004", "IPS0005", "IPS0006", "IPS0007",
                                                          "IPS0008", "IPS0010"]  # IPS0010 ran in 2024

    monkeypatch.setenv(DEADLINE_ENV, "06-30")
    later = load_settings(collected.settings.home)
    assert later.deadline_of(2025) == D("2026-06-30")
    assert cycle.status_counts(cycle.collection(later, ANALYST, 2025, today=DAY_AFTER))[Status.OVERDUE] == 0
    for bad in ("02-29", "13-01", "31-03", "March"):
        monkeypatch.setenv(DEADLINE_ENV, bad)
        with pytest.raises(ValueError, match=DEADLINE_ENV):
            load_settings(collected.settings.home)


def test_the_year_being_collected_and_the_years_to_choose_from(collected, tmp_path):
    # a year's returns are due in the year after it: its collection opens on 1 January and is followed past the deadline
    assert cycle.collection_year(D("2026-01-01")) == cycle.collection_year(DAY_AFTER) == cycle.collection_year(D("2026-12-31")) == 2025
    assert cycle.collection_year(D("2027-01-01")) == 2026
    # every year with a return (2024, 2025), the year being collected and the next
    assert cycle.collection_years(collected.settings, ANALYST, today=DAY_AFTER) == [2026, 2025, 2024]
    assert cycle.collection_years(collected.settings, ANALYST, published=[2024, 2025], today=D("2027-01-10")) == [2027, 2026, 2025, 2024]
    # and the years between the latest with a return and the year being collected, which came to nothing yet
    assert cycle.collection_years(collected.settings, ANALYST, today=D("2028-02-01")) == [2028, 2027, 2026, 2025, 2024]
    # a fresh data home (only a register, nothing published): the year being collected and the next
    fresh = load_settings(tmp_path / "home")
    add_site(fresh, "IPS0001", "Verksamhet 1", "0180", "ips1@exempel.se", D("2020-01-01"))
    assert cycle.collection_years(fresh, ANALYST, today=D("2027-01-10")) == [2027, 2026]
    # the year after the latest published one, even where figures are published ahead of the calendar (demo data)
    assert cycle.collection_years(fresh, ANALYST, published=[2025, 2026], today=DAY_AFTER) == [2027, 2026, 2025]


def test_only_an_analyst_receives_the_collection_or_changes_the_register(collected):
    for reader in (VIEWER, SITE):
        for query, args in ((cycle.collection, (2025,)), (cycle.collection_years, ()), (cycle.register_table, ())):
            with pytest.raises(AccessDenied):
                query(collected.settings, reader, *args)
        with pytest.raises(AccessDenied):
            cycle.change_register(reader, add_site, collected.settings, "IPS0020", "Obehörig", "0180")
    assert find_site(collected.settings, "IPS0020") is None
    assert cycle.register_table(collected.settings, ANALYST).row(0) == ("IPS0001", "Verksamhet 1", "Stockholm (0180)", "ips1@exempel.se",
                                                                       "2020-01-01", "")


# The page

PAGE = str(DASHBOARD_APP.parent / "pages" / "cycle.py")
YEAR_PICKER = "cycle_year"


def page_as(reader: Reader, home: Path, monkeypatch, year: int | None = 2025) -> AppTest:
    monkeypatch.setenv(HOME_ENV, str(home))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["reader"] = reader
    if year is not None:
        at.session_state["year"] = year
    return at.run()


def test_the_page_for_the_analyst(collected, monkeypatch):
    at = page_as(ANALYST, collected.settings.home, monkeypatch, year=None)  # no published figures
    assert not at.exception and not at.error
    assert at.selectbox(key=YEAR_PICKER).value == cycle.collection_year()  # the year being collected, by today's date
    at.selectbox(key=YEAR_PICKER).set_value(2025).run()
    # today is past 2026-03-31, so as the day after the deadline
    assert {m.label: m.value for m in at.metric} == {"Försenad": "2", "Avvisad": "0", "Ej påbörjad": "0", "Väntar på bekräftelse": "1",
                                                     "Godkänd": "3", "Godkänd, ersatt": "2"}
    board, reminders, register = (frame.value for frame in at.dataframe)
    assert list(board["Id"]) == ["IPS0002", "IPS0003", "IPS0005", "IPS0001", "IPS0007", "IPS0008", "IPS0004", "IPS0006"]
    assert list(reminders["E-post"]) == ["ips2@exempel.se", ""]
    assert list(register["Id"]) == [s.site_id for s in list_sites(collected.settings)]
    assert "IPS0009, IPS0010" in at.warning[0].value
    assert [b.label for b in at.get("download_button")] == ["XLSX", "CSV"] * 3  # each table, the reminders among them


def test_the_page_opens_a_year_without_any_return(collected, monkeypatch):
    """The start of a collection: no return yet for the year after the latest with one, and the sidebar's year (one
    with published figures) does not hold the page."""
    at = page_as(ANALYST, collected.settings.home, monkeypatch, year=2025)
    picker = at.selectbox(key=YEAR_PICKER)
    assert picker.label == "Rapportår" and "2026" in picker.options
    picker.set_value(2026).run()
    assert not at.exception and not at.error and not at.warning  # IPS0009 and IPS0010 sent returns for 2025, not 2026
    assert at.subheader[0].value == "Verksamheternas status för 2026"
    board, reminders, _ = (frame.value for frame in at.dataframe)
    expected = ["IPS0001", "IPS0002", "IPS0003", "IPS0004", "IPS0005", "IPS0006", "IPS0007", "IPS0008", "IPS0011"]  # IPS0011 from 2026
    assert sorted(board["Id"]) == expected and list(board["Inlämnade"]) == [0] * 9
    assert sorted(reminders["Id"]) == expected  # none has a return for 2026: the reminder list to open the collection with
    assert "Sista dag för rapporterna för 2026: 2027-03-31" in at.caption[0].value or "2026 var 2027-03-31" in at.caption[0].value
    assert {m.label: m.value for m in at.metric}["Godkänd"] == "0"

    at.selectbox(key=YEAR_PICKER).set_value(2025).run()  # and back
    assert not at.exception and at.subheader[0].value == "Verksamheternas status för 2025"


def test_the_page_is_for_the_analyst_only(collected, monkeypatch):
    for reader in (VIEWER, SITE):
        at = page_as(reader, collected.settings.home, monkeypatch)
        assert not at.exception and "This page is for the national support function" in at.error[0].value
        assert not at.metric and not at.dataframe


def click(at: AppTest, label: str) -> None:
    next(button for button in at.button if button.label == label).click().run()


def test_the_register_forms(tmp_path, monkeypatch):
    settings = load_settings(tmp_path / "home")
    at = page_as(ANALYST, settings.home, monkeypatch, year=None)  # a fresh data home: no return, nothing published
    assert not at.exception and "Inga verksamheter i registret" in at.info[0].value
    assert at.selectbox(key=YEAR_PICKER).value == cycle.collection_year()

    at.text_input(key="add-site_id").input("IPS0020")
    at.text_input(key="add-name").input("IPS Kiruna")
    at.selectbox(key="add-municipality").set_value("2584")
    at.text_input(key="add-email").input("fel-adress")
    click(at, "Lägg till")
    assert not at.exception and "ogiltig e-postadress 'fel-adress'" in at.error[0].value and not list_sites(settings)

    at.text_input(key="add-email").input("ips@kiruna.se")
    click(at, "Lägg till")
    assert not at.exception and at.success[0].value == "IPS0020 har lagts till."
    added = find_site(settings, "IPS0020")
    assert added is not None and (added.name, added.municipality_code, added.email, added.active_from) == (
        "IPS Kiruna", "2584", "ips@kiruna.se", dt.date.today())
    assert list(at.dataframe[-1].value["Id"]) == ["IPS0020"]

    at.text_input(key="update-email-IPS0020").input("ny@kiruna.se")
    click(at, "Spara")
    assert not at.exception and at.success[0].value == "IPS0020 har ändrats."
    at.date_input(key="deactivate-IPS0020").set_value(dt.date.today() + dt.timedelta(days=30))
    click(at, "Avsluta verksamheten")
    assert not at.exception and at.success[0].value == "IPS0020 har avslutats."
    changed = find_site(settings, "IPS0020")
    assert changed is not None and (changed.email, changed.active_to) == ("ny@kiruna.se", dt.date.today() + dt.timedelta(days=30))
