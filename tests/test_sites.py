"""The register of IPS sites: its functions and every refusal, the file, `ips-monitor sites`, and a return from a site
not yet registered."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipelines.returns.sites import (
    Site,
    SiteError,
    active_sites,
    add_site,
    deactivate_site,
    find_site,
    list_sites,
    register_from_return,
    register_from_returns,
    update_site,
)
from pipelines.settings import PROJECT_ROOT, Settings, load_settings
from tests.returns import YEAR, diagnosis, participant, site_row, write
from tests.test_cli import run_cli

D = dt.date.fromisoformat


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "home")


def one_participant_return(site_id: str, target: Path, sex: str = "K", municipality_code: str = "0180", year: int = YEAR) -> Path:
    """A return of one participant; ``sex="kvinna"`` (not a code) makes it rejected, another valid code another return."""
    return write({
        "verksamhet": [site_row(site_id, municipality_code, 1.0, year=year)],
        "deltagare": [participant(site_id, "P1", f"{year}-01-01", year=year, sex=sex)],
        "diagnoser": [diagnosis(site_id, "P1", year=year)],
    }, target)


def test_add_find_update_deactivate_and_the_active_sites(settings):
    hudiksvall = add_site(settings, " IPS0042 ", " IPS Hudiksvall ", "2184", "samordnare@hudiksvall.se", D("2016-03-01"))
    assert hudiksvall == Site("IPS0042", "IPS Hudiksvall", "2184", "samordnare@hudiksvall.se", D("2016-03-01"), None)
    add_site(settings, "IPS0007", "IPS Solna", "0184", "ips@solna.se", D("2025-07-01"))
    add_site(settings, "IPS0001", "Fontänhuset", "0180")  # no e-mail yet, active from today
    assert [s.site_id for s in list_sites(settings)] == ["IPS0001", "IPS0007", "IPS0042"]
    assert find_site(settings, "IPS0001") == Site("IPS0001", "Fontänhuset", "0180", "", dt.date.today())
    assert find_site(settings, "IPS0099") is None

    assert update_site(settings, "IPS0042", email="ny@hudiksvall.se").email == "ny@hudiksvall.se"
    assert update_site(settings, "IPS0042", name="IPS Hälsingland", municipality_code="2183").name == "IPS Hälsingland"
    assert deactivate_site(settings, "IPS0042", D("2025-06-30")).active_to == D("2025-06-30")
    assert deactivate_site(settings, "IPS0001").active_to == dt.date.today()
    assert find_site(settings, "IPS0042") == Site("IPS0042", "IPS Hälsingland", "2183", "ny@hudiksvall.se", D("2016-03-01"), D("2025-06-30"))

    # active on a day: from active_from to active_to, both included; in a year: on any day of it
    assert [s.site_id for s in active_sites(settings, D("2025-06-30"))] == ["IPS0042"]
    assert [s.site_id for s in active_sites(settings, D("2025-07-01"))] == ["IPS0007"]
    assert [s.site_id for s in active_sites(settings, 2025)] == ["IPS0007", "IPS0042"]
    assert [s.site_id for s in active_sites(settings, 2026)] == ["IPS0001", "IPS0007"]
    assert active_sites(settings, 2015) == []
    assert update_site(settings, "IPS0042", active_to=None).active_to is None  # running again
    assert [s.site_id for s in active_sites(settings, 2026)] == ["IPS0001", "IPS0007", "IPS0042"]


def test_every_refusal_says_why_in_both_languages_and_changes_nothing(settings):
    add_site(settings, "IPS0042", "IPS Hudiksvall", "2184", "a@hudiksvall.se", D("2016-03-01"))
    before = settings.sites_path.read_bytes()
    for attempt, words in (
        (lambda: update_site(settings, "IPS0043", name="x"), "verksamheten 'IPS0043' finns inte i registret / there is no site 'IPS0043'"),
        (lambda: deactivate_site(settings, "IPS0043"), "there is no site 'IPS0043' in the register"),
        (lambda: add_site(settings, "IPS0042", "Annan", "0180"), "finns redan i registret / site 'IPS0042' is already in the register"),
        (lambda: add_site(settings, "IPS42", "Kort id", "0180"), "ogiltigt verksamhets-id 'IPS42'"),
        (lambda: add_site(settings, "ips0043", "Gemener", "0180"), "invalid site id 'ips0043': IPS and four digits"),
        (lambda: add_site(settings, "IPS0043", "Ingenstans", "9999"),
         "okänd kommunkod '9999': fyra siffror enligt SCB, t.ex. 2184 / unknown municipality code '9999'"),
        (lambda: update_site(settings, "IPS0042", municipality_code="218"), "unknown municipality code '218'"),
        (lambda: add_site(settings, "IPS0043", "Utan snabel-a", "0180", "ips.solna.se"),
         "ogiltig e-postadress 'ips.solna.se' / invalid e-mail address 'ips.solna.se'"),
        (lambda: update_site(settings, "IPS0042", email="a@b"), "invalid e-mail address 'a@b'"),
        (lambda: update_site(settings, "IPS0042", email="två ord@b.se"), "invalid e-mail address"),
        (lambda: deactivate_site(settings, "IPS0042", D("2016-02-29")),
         "slutdatumet 2016-02-29 ligger före startdatumet 2016-03-01 / the end date 2016-02-29 is before the start date 2016-03-01"),
        (lambda: update_site(settings, "IPS0042", active_from=D("2030-01-01"), active_to=D("2029-12-31")), "is before the start date"),
        (lambda: add_site(settings, "IPS0043", "  ", "0180"), "namn saknas / the site's name is missing"),
    ):
        with pytest.raises(SiteError) as error:
            attempt()
        assert words in str(error.value)
    assert settings.sites_path.read_bytes() == before


def test_the_file_is_private_replaced_whole_and_changes_do_not_lose_each_other(settings, monkeypatch):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: add_site(settings, f"IPS{n:04d}", f"Verksamhet {n}", "0180", f"ips{n}@exempel.se", D("2020-01-01")), range(1, 25)))
    assert len(list_sites(settings)) == 24
    assert stat.S_IMODE(settings.sites_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in settings.home.iterdir()) == [".sites.lock", "audit", "sites.json"]  # no temporary file left
    stored = json.loads(settings.sites_path.read_text(encoding="utf-8"))["sites"][0]
    assert stored == {"site_id": "IPS0001", "name": "Verksamhet 1", "municipality_code": "0180", "email": "ips1@exempel.se",
                      "active_from": "2020-01-01", "active_to": None}

    before = settings.sites_path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)  # the write fails before the swap: the old file stands, nothing else is left
    with pytest.raises(OSError):
        update_site(settings, "IPS0001", name="Nytt namn")
    assert settings.sites_path.read_bytes() == before
    assert sorted(p.name for p in settings.home.iterdir()) == [".sites.lock", "audit", "sites.json"]


def test_the_data_home_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "var/sites.json"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert ignored.returncode == 0 and ignored.stdout.strip() == "var/sites.json"


def test_register_from_a_returns_verksamhet_row(settings):
    row = {"site_id": "IPS0031", "site_name": "IPS Umeå", "municipality_code": "2480", "start_date": D("2019-09-01"), "reporting_year": 2025}
    assert register_from_return(settings, row) == Site("IPS0031", "IPS Umeå", "2480", "", D("2019-09-01"))
    assert register_from_return(settings, {**row, "site_name": "Annat namn"}) is None  # registered already: left as it is
    assert find_site(settings, "IPS0031") == Site("IPS0031", "IPS Umeå", "2480", "", D("2019-09-01"))



def test_many_returns_register_their_sites_once_each(settings):
    row = {"site_id": "IPS0031", "site_name": "IPS Umeå", "municipality_code": "2480", "start_date": D("2019-09-01"), "reporting_year": 2025}
    register_from_return(settings, row)
    rows = [{**row, "site_id": "IPS0032", "site_name": "IPS Luleå", "municipality_code": "2580"}, {**row, "site_name": "Annat namn"},
            {**row, "site_id": "IPS0032", "site_name": "IPS Luleå, a later year", "municipality_code": "2580"}]
    assert register_from_returns(settings, rows) == [Site("IPS0032", "IPS Luleå", "2580", "", D("2019-09-01"))]  # the first row of it
    assert [s.site_id for s in list_sites(settings)] == ["IPS0031", "IPS0032"]
    assert find_site(settings, "IPS0031").name == "IPS Umeå"


# The command


def sites(*args: str, home: Path) -> subprocess.CompletedProcess:
    return run_cli("sites", *args, home=home)


def test_add_list_update_deactivate_through_the_command(tmp_path):
    home = tmp_path / "home"
    added = sites("add", "IPS0042", "--name", "IPS Hudiksvall", "--municipality", "2184", "--email", "a@hudiksvall.se",
                  "--active-from", "2016-03-01", home=home)
    assert added.returncode == 0, added.stderr
    assert added.stdout == "IPS0042: IPS Hudiksvall, 2184, a@hudiksvall.se, från / from 2016-03-01\n"
    assert sites("add", "IPS0007", "--name", "IPS Solna", "--municipality", "0184", "--email", "ips@solna.se", home=home).returncode == 0
    assert sites("update", "IPS0042", "--email", "ny@hudiksvall.se", home=home).returncode == 0
    ended = sites("deactivate", "IPS0042", "--on", "2026-12-31", home=home)
    assert ended.returncode == 0 and "till / to 2026-12-31" in ended.stdout

    listed = sites("list", home=home)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split("  ")[0] == "id" and "e-post / e-mail" in lines[0]
    assert lines[1].split() == ["IPS0007", "IPS", "Solna", "0184", "ips@solna.se", str(dt.date.today())]
    assert lines[2].split() == ["IPS0042", "IPS", "Hudiksvall", "2184", "ny@hudiksvall.se", "2016-03-01", "2026-12-31"]
    assert lines[3] == "verksamheter i registret / sites in the register: 2"
    assert find_site(load_settings(home), "IPS0042") == Site("IPS0042", "IPS Hudiksvall", "2184", "ny@hudiksvall.se", D("2016-03-01"),
                                                             D("2026-12-31"))


def test_the_command_refuses_with_both_languages_and_exit_code_2(tmp_path):
    home = tmp_path / "home"
    assert sites("list", home=home).stdout == "verksamheter i registret / sites in the register: 0\n"
    for args, words in (
        (("add", "IPS42", "--name", "X", "--municipality", "0180", "--email", "a@b.se"), "ogiltigt verksamhets-id 'IPS42'"),
        (("add", "IPS0042", "--name", "X", "--municipality", "9999", "--email", "a@b.se"), "unknown municipality code '9999'"),
        (("add", "IPS0042", "--name", "X", "--municipality", "0180", "--email", "nej"), "ogiltig e-postadress 'nej' / invalid e-mail"),
        (("update", "IPS0042", "--name", "Y"), "there is no site 'IPS0042'"),
        (("deactivate", "IPS0042"), "verksamheten 'IPS0042' finns inte"),
        (("add", "IPS0042", "--name", "X", "--municipality", "0180"), "--email"),  # required by the command
        (("add", "IPS0042", "--name", "X", "--municipality", "0180", "--email", "a@b.se", "--active-from", "2025-13-01"), "--active-from"),
    ):
        result = sites(*args, home=home)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    assert not (home / "sites.json").exists()
    sites("add", "IPS0042", "--name", "X", "--municipality", "0180", "--email", "a@b.se", "--active-from", "2024-01-01", home=home)
    for args, words in ((("add", "IPS0042", "--name", "Z", "--municipality", "0180", "--email", "z@b.se"), "already in the register"),
                        (("deactivate", "IPS0042", "--on", "2023-12-31"), "the end date 2023-12-31 is before the start date 2024-01-01")):
        result = sites(*args, home=home)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)


def test_a_return_sent_with_the_command_registers_its_site_once_with_a_warning(tmp_path):
    home = tmp_path / "home"
    sites("add", "IPS0042", "--name", "IPS Hudiksvall", "--municipality", "2184", "--email", "a@hudiksvall.se", home=home)
    rejected = run_cli("submit", str(one_participant_return("IPS0031", tmp_path / "rejected", sex="kvinna")), home=home)
    assert rejected.returncode == 1 and "arning" not in rejected.stdout  # a rejected return registers nothing
    assert find_site(load_settings(home), "IPS0031") is None

    accepted = run_cli("submit", str(one_participant_return("IPS0031", tmp_path / "accepted", municipality_code="2480")), home=home)
    assert accepted.returncode == 0, accepted.stdout
    assert ("  varning: IPS0031 fanns inte i verksamhetsregistret och har lagts till från sin rapport (IPS test IPS0031)" in accepted.stdout
            and "warning: IPS0031 was not in the site register and has been added from its return (IPS test IPS0031)" in accepted.stdout)
    # from its verksamhet row: site_row's name and start date, the municipality given; no e-mail yet
    assert find_site(load_settings(home), "IPS0031") == Site("IPS0031", "IPS test IPS0031", "2480", "", D("2015-01-01"))

    again = run_cli("submit", str(one_participant_return("IPS0031", tmp_path / "2024", year=2024)),
                    str(one_participant_return("IPS0042", tmp_path / "registered")), home=home)
    assert again.returncode == 0 and "arning" not in again.stdout  # registered by now, and the registered site keeps its own fields
    assert [(s.site_id, s.name, s.email) for s in list_sites(load_settings(home))] == [
        ("IPS0031", "IPS test IPS0031", ""), ("IPS0042", "IPS Hudiksvall", "a@hudiksvall.se")]
