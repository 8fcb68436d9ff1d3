"""The audit log: every sign-in (and refusal), upload, confirmation, run, export, user and site change, and each site an
analyst opens, appended to one private file that is never rewritten, holding no password and no participant's value."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from dashboards import queries
from dashboards.downloads import recorded
from dashboards.upload import decide, submit_upload
from pipelines import audit
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.access.sign_in import SignInRefused, sign_in
from pipelines.access.users import add_user
from pipelines.publishing.access import Snapshots
from pipelines.returns import archive, sites
from pipelines.settings import FREE_SIGN_IN_FAILURES, Settings, load_settings
from tests.returns import diagnosis, episode, participant, review, site_row, write

CLI = str(Path(sys.executable).parent / "ips-monitor")
PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0
ANALYST = Reader("analytiker", Role.ANALYST)
# Values of the participants in the returns below: none may ever be found in the log.
PARTICIPANT_VALUES = ("QX-LOPNR-4711", "QX-LOPNR-4712", "2025-02-13", "2025-03-17", "2025-05-29", "F31.4")


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "home")


def entries(settings: Settings, **filters: object) -> list[audit.Entry]:
    found = audit.read(settings, **filters)  # type: ignore[arg-type]
    assert found.damaged_lines == []
    return found.entries


def log_text(settings: Settings) -> str:
    return settings.audit_log_path.read_text(encoding="utf-8")


def cli(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    # a session of its own has no terminal, so getpass reads a password from stdin
    return subprocess.run([CLI, *args, "--home", str(home)], input=stdin, capture_output=True, text=True, start_new_session=True)


def site_return(site_id: str, participant_id: str, target: Path, intake: str = "2025-02-13") -> Path:
    return write({
        "verksamhet": [site_row(site_id, "2184", 2.0)],
        "deltagare": [participant(site_id, participant_id, intake, birth_year=1979)],
        "diagnoser": [diagnosis(site_id, participant_id, "bipolar", "F31.4")],
        "aktiviteter": [episode(site_id, participant_id, "konkurrensutsatt_arbete", "2025-03-17")],
        "programtrohet": [review(site_id, "2025-05-29", 101)],
    }, target)


def return_files(folder: Path) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(folder.iterdir())]


def assert_nothing_secret(settings: Settings, *secrets: str) -> None:
    text = log_text(settings)
    for secret in (*PARTICIPANT_VALUES, *secrets):
        assert secret not in text, secret


# Sign-ins


def test_sign_ins_and_failed_sign_ins_are_recorded_without_a_password(settings):
    add_user(settings, "anna", Role.SITE, PASSWORD, site_id="IPS0042")
    typed_as_name = "my-secret-password-typed-as-name"  # a password typed into the name field by mistake
    assert sign_in(settings, " Anna ", PASSWORD, now=T0).username == "anna"
    for name, password in (("anna", "a wrong password"), (typed_as_name, "x" * 12)):
        with pytest.raises(SignInRefused):
            sign_in(settings, name, password, now=T0)
    for _ in range(FREE_SIGN_IN_FAILURES):
        with pytest.raises(SignInRefused):
            sign_in(settings, "anna", "a wrong password", now=T0 + 1)
    with pytest.raises(SignInRefused) as throttled:
        sign_in(settings, "anna", PASSWORD, now=T0 + 1)
    assert throttled.value.reason == "throttled"

    signed = [(e.action, e.actor, e.role, e.site_id, e.outcome) for e in entries(settings) if e.action != "user_change"]
    unknown = audit.unknown_name(typed_as_name)
    assert re.fullmatch(r"unknown:[0-9a-f]{8}", unknown)
    assert signed == [
        ("sign_in", "anna", "site", "IPS0042", "ok"),
        ("sign_in_failed", "anna", None, None, "wrong_password"),
        ("sign_in_failed", unknown, None, None, "unknown_user"),
        *[("sign_in_failed", "anna", None, None, "wrong_password")] * (FREE_SIGN_IN_FAILURES - 1),
        ("sign_in_failed", "anna", None, None, "throttled"),  # the free failures are spent: the next attempts wait
        ("sign_in_failed", "anna", None, None, "throttled"),  # even with the right password
    ]
    assert_nothing_secret(settings, PASSWORD, "a wrong password", "x" * 12, typed_as_name)


def test_a_throttled_name_nobody_has_is_recorded_by_its_hash(settings):
    for _ in range(FREE_SIGN_IN_FAILURES + 1):
        with pytest.raises(SignInRefused):
            sign_in(settings, "nobody-at-all", PASSWORD, now=T0)
    outcomes = [(e.actor, e.outcome) for e in entries(settings)]
    assert outcomes[-1] == (audit.unknown_name("nobody-at-all"), "throttled")
    assert "nobody-at-all" not in log_text(settings)


# User and site changes


def test_user_changes_through_the_command_never_hold_a_password(tmp_path):
    home = tmp_path / "home"
    added = cli("users", "add", "bo", "--role", "site", "--site", "IPS0042", "--generate-password", home=home)
    assert added.returncode == 0, added.stderr
    reset = cli("users", "set-password", "bo", "--generate-password", home=home)
    typed = cli("users", "add", "cecilia", "--role", "viewer", home=home, stdin="a typed password\na typed password\n")
    assert typed.returncode == 0, typed.stderr
    assert cli("users", "remove", "bo", home=home).returncode == 0
    settings = load_settings(home)
    changes = [(e.action, e.subject, e.site_id, e.detail) for e in entries(settings)]
    assert changes == [
        ("user_change", "bo", "IPS0042", {"change": "add", "user_role": "site"}),
        ("user_change", "bo", "IPS0042", {"change": "set_password", "user_role": "site"}),
        ("user_change", "cecilia", None, {"change": "add", "user_role": "viewer"}),
        ("user_change", "bo", "IPS0042", {"change": "remove", "user_role": "site"}),
    ]
    assert all(e.actor.startswith("cli:") and e.role is None for e in entries(settings))
    passwords = [re.findall(r"password: (\S+)", result.stdout)[0] for result in (added, reset)]
    assert_nothing_secret(settings, *passwords, "a typed password")
    assert "$argon2" not in log_text(settings)


def test_site_changes_through_the_command_and_the_dashboard(tmp_path):
    home = tmp_path / "home"
    assert cli("sites", "add", "IPS0042", "--name", "IPS Hudiksvall", "--municipality", "2184", "--email", "samordnare@hudiksvall.se",
               "--active-from", "2016-03-01", home=home).returncode == 0
    assert cli("sites", "update", "IPS0042", "--email", "ny@hudiksvall.se", "--name", "IPS Hälsingland", home=home).returncode == 0
    assert cli("sites", "deactivate", "IPS0042", "--on", "2026-06-30", home=home).returncode == 0
    assert cli("sites", "list", home=home).returncode == 0  # reading changes nothing, and is not recorded
    settings = load_settings(home)
    sites.add_site(settings, "IPS0043", "IPS Bollnäs", "2183", by=ANALYST)  # as the dashboard's collection page does
    changes = [(e.actor.split(":")[0], e.role, e.action, e.site_id, e.detail) for e in entries(settings)]
    assert changes == [
        ("cli", None, "site_change", "IPS0042", {"change": "add"}),
        ("cli", None, "site_change", "IPS0042", {"change": "update", "fields": "email,name"}),
        ("cli", None, "site_change", "IPS0042", {"change": "deactivate", "fields": "active_to"}),
        ("analytiker", "analyst", "site_change", "IPS0043", {"change": "add"}),
    ]
    assert_nothing_secret(settings, "hudiksvall.se", "Hälsingland", "Bollnäs")  # the field's names only, never the values


# Uploads and confirmations on the dashboard


def test_uploads_confirmations_and_cancellations_on_the_dashboard(settings, tmp_path):
    site = Reader("samordnare", Role.SITE, "IPS0005")
    first = submit_upload(return_files(site_return("IPS0005", "QX-LOPNR-4711", tmp_path / "first")), settings, site)
    again = submit_upload(return_files(site_return("IPS0005", "QX-LOPNR-4711", tmp_path / "again")), settings, site)
    second = submit_upload(return_files(site_return("IPS0005", "QX-LOPNR-4712", tmp_path / "second")), settings, site)
    third = submit_upload(return_files(site_return("IPS0005", "QX-LOPNR-4712", tmp_path / "third", "2025-02-14")), settings, site)
    another = submit_upload(return_files(site_return("IPS0009", "QX-LOPNR-4711", tmp_path / "another")), settings, site)
    assert (first.verdict, again.verdict, second.awaits_confirmation, third.awaits_confirmation, another.verdict) == (
        "accepted", "duplicate", True, True, "wrong_site")
    with pytest.raises(PermissionError):
        submit_upload(return_files(tmp_path / "first"), settings, ANALYST)
    with pytest.raises(AccessDenied):
        decide(Reader("granne", Role.SITE, "IPS0001"), settings, second.receipt.return_id, confirmed=True)
    decide(site, settings, second.receipt.return_id, confirmed=False)
    decide(site, settings, third.receipt.return_id, confirmed=True)

    recorded_entries = [(e.actor, e.action, e.site_id, e.year, e.subject, e.outcome, e.detail) for e in entries(settings)]
    first_id, second_id, third_id = first.receipt.return_id, second.receipt.return_id, third.receipt.return_id
    assert recorded_entries == [
        ("samordnare", "upload", "IPS0005", 2025, first_id, "accepted", {}),
        ("samordnare", "upload", "IPS0005", 2025, first_id, "duplicate", {}),  # the earlier return's id
        ("samordnare", "upload", "IPS0005", 2025, second_id, "accepted", {"awaits_confirmation": True, "supersedes": first_id}),
        ("samordnare", "upload", "IPS0005", 2025, third_id, "accepted", {"awaits_confirmation": True, "supersedes": first_id}),
        ("samordnare", "upload", "IPS0005", 2025, None, "wrong_site", {}),  # kept nowhere: no return id
        ("analytiker", "upload", None, None, None, "denied", {"count": 5}),
        ("granne", "confirm", "IPS0001", None, second_id, "denied", {}),
        ("samordnare", "cancel", "IPS0005", 2025, second_id, "ok", {"supersedes": first_id}),
        ("samordnare", "confirm", "IPS0005", 2025, third_id, "ok", {"supersedes": first_id}),
    ]
    assert archive.find(settings.archive_dir, third_id).decision is not None
    assert_nothing_secret(settings, "IPS test IPS0005", "bipolar")  # nor the site's own words nor a participant's codes


def test_a_dashboard_download_is_recorded_when_it_is_taken(settings):
    download = recorded(lambda: b"figures", settings, ANALYST, "IPS0005_2025.xlsx", site_id="IPS0005", year=2025)
    assert not settings.audit_log_path.exists()  # the button is drawn: nothing taken yet
    assert download() == b"figures"
    (entry,) = entries(settings)
    assert (entry.actor, entry.role, entry.action, entry.site_id, entry.year, entry.subject, entry.detail) == (
        "analytiker", "analyst", "export", "IPS0005", 2025, "IPS0005_2025.xlsx", {"format": "download"})


# The command line: submit, run, export, site report; the analysts' opening of sites; the `audit` command


@pytest.fixture(scope="module")
def served(tmp_path_factory, dbt_manifest) -> Settings:
    """Two sites' returns submitted, run, exported and reported with the command line, as the national function does."""
    home, returns = tmp_path_factory.mktemp("audit-home"), tmp_path_factory.mktemp("audit-returns")
    first, second = site_return("IPS0005", "QX-LOPNR-4711", returns / "a"), site_return("IPS0009", "QX-LOPNR-4712", returns / "b")
    for args in (("submit", str(first), str(second)), ("run",), ("export", "--format", "csv", "--out", str(returns / "tidy.csv")),
                 ("site-report", "--site", "IPS0009", "--year", "2025", "--out", str(returns / "IPS0009.pdf"))):
        result = cli(*args, home=home)
        assert result.returncode == 0, result.stdout + result.stderr
    return load_settings(home)


def test_submit_run_export_and_site_report_through_the_command(served):
    recorded_entries = [(e.actor.split(":")[0], e.action, e.site_id, e.year, e.outcome, e.detail) for e in entries(served)]
    assert recorded_entries == [
        ("cli", "upload", "IPS0005", 2025, "accepted", {}),  # the returns sent together, then their sites registered
        ("cli", "upload", "IPS0009", 2025, "accepted", {}),
        ("cli", "site_change", "IPS0005", None, "ok", {"change": "register_from_return"}),
        ("cli", "site_change", "IPS0009", None, "ok", {"change": "register_from_return"}),
        ("cli", "run", None, None, "started", {}),
        ("dagster", "run", None, None, "published", {"job": "refresh_warehouse", "partitions": "2025"}),
        ("cli", "run", None, None, "ok", {}),
        ("cli", "export", None, None, "ok", {"format": "csv"}),
        ("cli", "site_opened", "IPS0009", None, "ok", {}),  # the report reads the site's own figures as the national function
        ("cli", "export", "IPS0009", 2025, "ok", {"format": "site-report"}),
    ]
    runs = [e for e in entries(served, action=audit.Action.RUN) if e.subject]
    assert len({e.subject for e in runs}) == 1 and len(runs) == 2  # the run that published is the one `ips-monitor run` started
    uploads = entries(served, action=audit.Action.UPLOAD)
    assert all(archive.find(served.archive_dir, e.subject or "").site_id == e.site_id for e in uploads)
    assert [e.subject for e in entries(served, action=audit.Action.EXPORT)] == ["tidy.csv", "IPS0009.pdf"]
    assert_nothing_secret(served, "IPS test IPS0005", "IPS test IPS0009")


def test_a_participants_values_in_the_return_never_reach_the_log(served):
    """Every value of every participant-level table of the archived returns, searched for in the log's text."""
    text = log_text(served)
    values = set()
    for receipt in archive.read_receipts(served.archive_dir):
        for name, table in archive.read_typed_tables(served.archive_dir, receipt):
            if name != "verksamhet":
                values |= {str(value) for column in table.columns if column not in ("site_id", "reporting_year")
                           for value in table.get_column(column).to_list() if value is not None}
    assert {"QX-LOPNR-4711", "2025-02-13", "F31.4"} <= values
    assert [value for value in values if len(str(value)) >= 4 and str(value) in text] == []


def test_an_analyst_opening_a_site_is_recorded_once_per_page(served, monkeypatch):
    monkeypatch.setattr(audit, "_site_opened_at", {})
    now = [1000.0]
    monkeypatch.setattr(audit, "_clock", lambda: now[0])
    snapshots = Snapshots.of(served)

    def open_site(reader: Reader, site_id: str) -> None:  # as the page Min verksamhet draws one site: many guarded queries
        queries.site_figures(snapshots, reader, site_id, 2025)
        queries.site_trend(snapshots, reader, site_id)
        queries.site_fidelity_profile(snapshots, reader, site_id, 2025)
        queries.site_diagnosis(snapshots, reader, site_id, 2025)

    def opened() -> list[tuple[str, str | None]]:
        return [(e.actor, e.site_id) for e in entries(served, action=audit.Action.SITE_OPENED) if not e.actor.startswith("cli:")]

    open_site(ANALYST, "IPS0005")
    open_site(ANALYST, "IPS0005")
    assert opened() == [("analytiker", "IPS0005")]
    open_site(ANALYST, "IPS0009")
    open_site(Reader("annan-analytiker", Role.ANALYST), "IPS0009")
    open_site(Reader("samordnare", Role.SITE, "IPS0005"), "IPS0005")  # a site reader opens only its own: not recorded
    with pytest.raises(AccessDenied):
        queries.site_figures(snapshots, Reader("samordnare", Role.SITE, "IPS0005"), "IPS0009", 2025)
    assert opened() == [("analytiker", "IPS0005"), ("analytiker", "IPS0009"), ("annan-analytiker", "IPS0009")]
    now[0] += audit.SITE_OPENED_EVERY_SECONDS  # ten minutes on: a new visit
    open_site(ANALYST, "IPS0005")
    assert opened()[-1] == ("analytiker", "IPS0005") and len(opened()) == 4
    assert all(e.role == "analyst" for e in entries(served, action=audit.Action.SITE_OPENED, actor="analytiker"))


def test_the_audit_command_shows_and_filters(served):
    today = dt.datetime.now(dt.UTC).date()
    table = cli("audit", home=served.home)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["tid", "/", "time", "(UTC)", "användare", "/", "user", "roll", "/", "role", "händelse", "/", "action",
                                "verksamhet", "/", "site", "år", "/", "year", "vad", "/", "subject", "utfall", "/", "outcome",
                                "detaljer", "/", "details"]
    assert lines[-1] == f"{len(lines) - 2} händelser / entries" and len(lines) - 2 == len(entries(served))
    assert "format=site-report" in table.stdout

    def shown(*args: str) -> list[dict]:
        result = cli("audit", "--json", *args, home=served.home)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    assert [e["subject"] for e in shown("--action", "export")] == ["tidy.csv", "IPS0009.pdf"]
    assert {e["action"] for e in shown("--site", "IPS0009")} >= {"upload", "site_change", "export"}
    assert all(e["site_id"] == "IPS0009" for e in shown("--site", "IPS0009"))
    assert {e["action"] for e in shown("--user", "dagster")} == {"run"}
    assert len(shown("--since", today.isoformat(), "--until", today.isoformat())) == len(entries(served))
    assert shown("--since", (today + dt.timedelta(days=1)).isoformat()) == []
    assert shown("--until", (today - dt.timedelta(days=1)).isoformat()) == []
    assert shown("--user", "nobody") == [] and cli("audit", "--user", "nobody", home=served.home).stdout == "0 händelser / entries\n"
    assert cli("audit", "--action", "peek", home=served.home).returncode == 2


# The file itself


def test_the_log_is_private_and_only_ever_appended_to(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    sign_in(settings, "anna", PASSWORD, now=T0)
    assert stat.S_IMODE(settings.audit_log_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.audit_log_path.parent.stat().st_mode) == 0o700
    before = settings.audit_log_path.read_bytes()
    inode = settings.audit_log_path.stat().st_ino
    sites.add_site(settings, "IPS0042", "IPS Hudiksvall", "2184")
    with pytest.raises(SignInRefused):
        sign_in(settings, "anna", "a wrong password", now=T0)
    after = settings.audit_log_path.read_bytes()
    assert after.startswith(before) and len(after.splitlines()) == len(before.splitlines()) + 2  # the old lines byte for byte
    assert settings.audit_log_path.stat().st_ino == inode  # the same file, never replaced
    os.chmod(settings.audit_log_path, 0o644)  # widened by someone: the next entry makes it private again
    sign_in(settings, "anna", PASSWORD, now=T0 + 60)
    assert stat.S_IMODE(settings.audit_log_path.stat().st_mode) == 0o600


def _append_many(home: str, writer: int, count: int) -> None:
    settings = load_settings(home)
    for n in range(count):
        audit.record(settings, audit.Action.EXPORT, actor=f"writer-{writer}", subject=f"file-{n:04d}-" + "x" * 100,
                     detail={"format": "csv", "count": n})


def test_entries_appended_by_several_processes_at_once_are_whole_lines(settings):
    writers, count = 6, 150
    with ProcessPoolExecutor(max_workers=writers) as pool:
        list(pool.map(_append_many, [str(settings.home)] * writers, range(writers), [count] * writers))
    found = entries(settings)
    assert len(found) == writers * count
    for writer in range(writers):
        assert [e.detail["count"] for e in found if e.actor == f"writer-{writer}"] == list(range(count))  # each in its order


def test_a_line_cut_short_is_reported_and_spoils_nothing_after_it(settings, tmp_path):
    audit.record(settings, audit.Action.RUN, actor="dagster", outcome="published", subject="run-1")
    with settings.audit_log_path.open("ab") as log:
        log.write(b'{"time":"2026-01-01T00:00:00+00:00","actor":"cli:x","ro')  # a process killed mid-write
    cut = audit.read(settings)
    assert [e.subject for e in cut.entries] == ["run-1"] and cut.damaged_lines == [2]
    audit.record(settings, audit.Action.RUN, actor="dagster", outcome="published", subject="run-2")
    after = audit.read(settings)
    assert [e.subject for e in after.entries] == ["run-1", "run-2"] and after.damaged_lines == [2]
    shown = cli("audit", home=settings.home)
    assert shown.returncode == 0 and "run-2" in shown.stdout
    assert "line 2 of" in shown.stderr and "is damaged" in shown.stderr


def test_only_the_fixed_fields_are_kept(settings):
    with pytest.raises(ValueError, match="detail keys"):
        audit.record(settings, audit.Action.EXPORT, actor="anna", detail={"password": "hemligt-lösenord"})
    with pytest.raises(ValueError, match="one short word"):
        audit.record(settings, audit.Action.EXPORT, actor="anna", outcome="a sentence of free text")
    entry = audit.record(settings, audit.Action.EXPORT, actor="anna\nforged", site_id="not a site", year=12,
                         subject='a "quoted"\nline\x00', detail={"format": "x" * 500})
    assert (entry.actor, entry.site_id, entry.year, entry.subject) == ("anna_forged", None, None, "a _quoted__line_")
    assert len(entry.detail["format"]) == audit.TOKEN_CHARS
    assert len(log_text(settings).splitlines()) == 1
