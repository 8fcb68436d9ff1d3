"""Users and signing in: the users file, the `ips-monitor users` command, refusals, throttling, sessions."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters

from pipelines.access.messages import SESSION_EXPIRED
from pipelines.access.roles import Reader, Role
from pipelines.access.sign_in import (
    MAX_WAIT_SECONDS,
    RefusalReason,
    SignInRefused,
    session_expired,
    sign_in,
)
from pipelines.access.users import UserError, add_user, find_user, generate_password, list_users, remove_user, set_password
from pipelines.settings import FREE_SIGN_IN_FAILURES, Settings, load_settings

CLI = str(Path(sys.executable).parent / "ips-monitor")
PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0  # a fixed "now" for the throttling tests: time is passed in, never slept


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "home")


def refusal(settings: Settings, username: str, password: str, now: float) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        sign_in(settings, username, password, now=now)
    return refused.value


def users(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    # a session of its own has no terminal, so getpass reads the password from stdin
    return subprocess.run([CLI, "users", *args, "--home", str(home)], input=stdin, capture_output=True, text=True, start_new_session=True)


def printed_password(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "shown only now" in result.stdout and "visas bara nu" in result.stdout
    (password,) = re.findall(r"password: (\S+)", result.stdout)
    return password


# The users file


def test_hashes_are_argon2id_and_no_password_is_kept_in_either_file(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    set_password(settings, "anna", "a second password")
    typed_as_name = "my secret password"  # typed into the name field by mistake
    for name, password in (("anna", PASSWORD), ("anna", "a third password"), ("nobody", "nobody's password"), (typed_as_name, "x" * 12)):
        with pytest.raises(SignInRefused):
            sign_in(settings, name, password, now=T0)

    stored = find_user(settings, "anna")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert extract_parameters(stored.password_hash) == extract_parameters(PasswordHasher().hash("anything"))  # the library's defaults
    kept = settings.users_path.read_bytes() + settings.sign_in_failures_path.read_bytes()
    for secret in (PASSWORD, "a second password", "a third password", "nobody's password", typed_as_name, "x" * 12):
        assert secret.encode() not in kept
    assert b"$argon2id$" in settings.users_path.read_bytes()


def test_the_files_are_private_and_replaced_whole(settings):
    add_user(settings, "anna", Role.VIEWER, PASSWORD)
    with pytest.raises(SignInRefused):
        sign_in(settings, "anna", "wrong password", now=T0)
    set_password(settings, "anna", "another password")
    for path in (settings.users_path, settings.sign_in_failures_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert sorted(p.name for p in settings.home.iterdir()) == [".access.lock", "audit", "sign-in-failures.json", "users.json"]  # no temporary file left
    assert not any(p.stat().st_mode & 0o077 for p in settings.home.iterdir())


def test_site_ids_belong_to_site_users_only(settings):
    refused = {
        "site user without a site id": lambda: add_user(settings, "s1", Role.SITE, PASSWORD),
        "site user with a malformed site id": lambda: add_user(settings, "s2", Role.SITE, PASSWORD, site_id="IPS12"),
        "site user with a lower-case site id": lambda: add_user(settings, "s3", Role.SITE, PASSWORD, site_id="ips0001"),
        "viewer with a site id": lambda: add_user(settings, "v1", Role.VIEWER, PASSWORD, site_id="IPS0001"),
        "analyst with a site id": lambda: add_user(settings, "a1", Role.ANALYST, PASSWORD, site_id="IPS0001"),
    }
    for case, attempt in refused.items():
        with pytest.raises(UserError) as error:
            attempt()
        assert " / " in str(error.value), case
    assert not settings.users_path.exists()

    assert add_user(settings, "s4", Role.SITE, PASSWORD, site_id="IPS0001") == Reader("s4", Role.SITE, "IPS0001")
    assert sign_in(settings, "s4", PASSWORD, now=T0) == Reader("s4", Role.SITE, "IPS0001")


def test_passwords_must_be_long_enough(settings):
    for too_short in ("", "123456789"):
        with pytest.raises(UserError, match="password"):
            add_user(settings, "anna", Role.VIEWER, too_short)
    add_user(settings, "anna", Role.VIEWER, "1234567890")
    with pytest.raises(UserError, match="too short"):
        set_password(settings, "anna", "short")
    assert sign_in(settings, "anna", "1234567890", now=T0).username == "anna"


def test_user_errors(settings):
    add_user(settings, "anna", Role.VIEWER, PASSWORD)
    for attempt, words in (
        (lambda: add_user(settings, " Anna ", Role.ANALYST, PASSWORD), "finns redan / user 'anna' already exists"),
        (lambda: remove_user(settings, "bo"), "finns inte / there is no user 'bo'"),
        (lambda: set_password(settings, "bo", PASSWORD), "finns inte / there is no user 'bo'"),
        (lambda: add_user(settings, "två ord", Role.VIEWER, PASSWORD), "ogiltigt användarnamn"),
    ):
        with pytest.raises(UserError) as error:
            attempt()
        assert words in str(error.value)
    assert list_users(settings) == [Reader("anna", Role.VIEWER)]


def test_generated_passwords():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 16 and re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)


# The command


def test_add_list_set_password_remove_through_the_command(tmp_path):
    home = tmp_path / "home"
    settings = load_settings(home)
    site_password = printed_password(users("add", "Site.Coordinator@region.se", "--role", "site", "--site", "IPS0042", "--generate-password", home=home))
    analyst_password = printed_password(users("add", "analyst", "--role", "analyst", "--generate-password", home=home))
    assert sign_in(settings, "site.coordinator@region.se", site_password, now=T0) == Reader("site.coordinator@region.se", Role.SITE, "IPS0042")
    assert sign_in(settings, "analyst", analyst_password, now=T0).role == Role.ANALYST

    listed = users("list", home=home)
    assert listed.returncode == 0
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert rows == [["analyst", "analyst"], ["site.coordinator@region.se", "site", "IPS0042"]]
    assert "argon2" not in listed.stdout and site_password not in listed.stdout

    new_password = printed_password(users("set-password", "analyst", "--generate-password", home=home))
    assert new_password != analyst_password
    assert refusal(settings, "analyst", analyst_password, T0).reason == RefusalReason.WRONG_PASSWORD
    assert sign_in(settings, "analyst", new_password, now=T0).username == "analyst"

    assert users("remove", "analyst", home=home).returncode == 0
    assert refusal(settings, "analyst", new_password, T0 + 1).reason == RefusalReason.UNKNOWN_USER
    assert subprocess.run([CLI, "--home", str(home), "users", "list"], capture_output=True, text=True).stdout.count("\n") == 2
    assert stat.S_IMODE(settings.users_path.stat().st_mode) == 0o600


def test_the_command_asks_for_the_password_twice(tmp_path):
    home = tmp_path / "home"
    assert users("add", "anna", "--role", "viewer", home=home, stdin=f"{PASSWORD}\n{PASSWORD}\n").returncode == 0
    assert sign_in(load_settings(home), "anna", PASSWORD, now=T0).username == "anna"
    differ = users("set-password", "anna", home=home, stdin=f"{PASSWORD}\nanother password\n")
    assert differ.returncode == 2 and "do not match" in differ.stderr
    short = users("set-password", "anna", home=home, stdin="short\nshort\n")
    assert short.returncode == 2 and "för kort: minst 10 tecken / the password is too short" in short.stderr
    assert sign_in(load_settings(home), "anna", PASSWORD, now=T0 + 1).username == "anna"


def test_the_command_refuses_what_it_cannot_do(tmp_path):
    home = tmp_path / "home"
    assert users("add", "anna", "--role", "viewer", "--generate-password", home=home).returncode == 0
    for args, words in (
        (("add", "s", "--role", "site", "--generate-password"), "behöver ett verksamhets-id (--site IPS0001) / a user with the role site needs a site id"),
        (("add", "v", "--role", "viewer", "--site", "IPS0001", "--generate-password"), "only a user with the role site has a site id"),
        (("add", "s", "--role", "site", "--site", "IPS1", "--generate-password"), "invalid site id 'IPS1'"),
        (("add", "anna", "--role", "analyst", "--generate-password"), "already exists"),
        (("remove", "bo"), "there is no user 'bo'"),
        (("set-password", "bo", "--generate-password"), "there is no user 'bo'"),
        (("add", "x", "--role", "admin"), "invalid choice"),
    ):
        result = users(*args, home=home)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
        assert "password:" not in result.stdout
    assert [reader.username for reader in list_users(load_settings(home))] == ["anna"]


# Signing in


def test_refusals_say_why(settings):
    add_user(settings, "anna", Role.VIEWER, PASSWORD)
    wrong = refusal(settings, "anna", "not the password", T0)
    assert wrong.reason == RefusalReason.WRONG_PASSWORD and wrong.message_sv.startswith("Fel lösenord") and wrong.message_en.startswith("Wrong password")
    unknown = refusal(settings, "bo", PASSWORD, T0)
    assert unknown.reason == RefusalReason.UNKNOWN_USER and unknown.message_sv.startswith("Okänt användarnamn")
    assert unknown.message_en.startswith("Unknown user name")
    assert sign_in(settings, "  ANNA ", PASSWORD, now=T0) == Reader("anna", Role.VIEWER)


@pytest.mark.parametrize("known", [True, False], ids=["known user", "unknown user"])
def test_throttled_after_the_free_failures_until_the_wait_has_passed(settings, known):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    name = "anna" if known else "bo"
    first_reason = RefusalReason.WRONG_PASSWORD if known else RefusalReason.UNKNOWN_USER
    for _ in range(FREE_SIGN_IN_FAILURES):
        assert refusal(settings, name, "not the password", T0).reason == first_reason

    # the right password does not help while the wait lasts (2 seconds after the third failure)
    throttled = refusal(settings, name, PASSWORD, T0 + 1.5)
    assert throttled.reason == RefusalReason.THROTTLED and throttled.wait_seconds == pytest.approx(0.5)
    assert throttled.message_sv == "För många misslyckade inloggningar. Försök igen om 1 sekund."
    assert throttled.message_en == "Too many failed sign-ins. Try again in 1 second."
    assert refusal(settings, name, PASSWORD, T0 + 1.999).reason == RefusalReason.THROTTLED
    if not known:
        assert refusal(settings, name, PASSWORD, T0 + 2).reason == RefusalReason.UNKNOWN_USER
        return
    assert sign_in(settings, name, PASSWORD, now=T0 + 2).username == "anna"
    # cleared: the free failures are free again
    for _ in range(FREE_SIGN_IN_FAILURES - 1):
        assert refusal(settings, name, "not the password", T0 + 3).reason == RefusalReason.WRONG_PASSWORD
    assert sign_in(settings, name, PASSWORD, now=T0 + 3).username == "anna"


def test_the_wait_doubles_with_each_further_failure_up_to_a_cap(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    now = T0
    for _ in range(FREE_SIGN_IN_FAILURES):
        refusal(settings, "anna", "not the password", now)
    waits = []
    for _ in range(15):
        waits.append(refusal(settings, "anna", PASSWORD, now).wait_seconds)  # throttled: not counted as a failure
        now += waits[-1]
        assert refusal(settings, "anna", "not the password", now).reason == RefusalReason.WRONG_PASSWORD
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512] + [15 * 60] * 6 and MAX_WAIT_SECONDS == 15 * 60
    assert refusal(settings, "bo", PASSWORD, now).reason == RefusalReason.UNKNOWN_USER  # another name is not held up
    assert sign_in(settings, "anna", PASSWORD, now=now + MAX_WAIT_SECONDS).username == "anna"


def test_an_unknown_name_is_throttled_like_a_known_one(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    seen = {}
    for name in ("anna", "bo"):
        refused = [refusal(settings, name, "not the password", T0) for _ in range(FREE_SIGN_IN_FAILURES + 2)]
        seen[name] = [(r.reason == RefusalReason.THROTTLED, r.wait_seconds, r.message_en if r.wait_seconds else "") for r in refused]
    assert seen["anna"] == seen["bo"]
    assert seen["bo"][-2:] == [(True, 2, "Too many failed sign-ins. Try again in 2 seconds.")] * 2


def test_an_unknown_name_costs_a_password_check(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    checked: list[str] = []
    verify = PasswordHasher.verify

    def counting_verify(hasher: PasswordHasher, stored_hash: str | bytes, password: str | bytes) -> bool:
        checked.append(str(stored_hash))
        return verify(hasher, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    refusal(settings, "bo", PASSWORD, T0)
    refusal(settings, "anna", "not the password", T0)
    assert len(checked) == 2 and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in checked)


def test_concurrent_attempts_cannot_get_past_the_throttle(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)

    def attempt(_: int) -> RefusalReason:
        return refusal(settings, "anna", "not the password", T0).reason

    with ThreadPoolExecutor(max_workers=8) as pool:
        reasons = list(pool.map(attempt, range(8)))
    assert reasons.count(RefusalReason.WRONG_PASSWORD) == FREE_SIGN_IN_FAILURES
    assert reasons.count(RefusalReason.THROTTLED) == 8 - FREE_SIGN_IN_FAILURES


def test_an_outdated_hash_is_replaced_on_sign_in(settings):
    add_user(settings, "anna", Role.ANALYST, PASSWORD)
    stored = json.loads(settings.users_path.read_text())
    stored["users"][0]["password_hash"] = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    settings.users_path.write_text(json.dumps(stored))

    assert sign_in(settings, "anna", PASSWORD, now=T0).username == "anna"
    rehashed = find_user(settings, "anna")
    assert rehashed is not None and not PasswordHasher().check_needs_rehash(rehashed.password_hash)
    assert sign_in(settings, "anna", PASSWORD, now=T0).username == "anna"
    assert stat.S_IMODE(settings.users_path.stat().st_mode) == 0o600


def test_a_session_expires_at_exactly_the_setting(tmp_path):
    settings = Settings(home=tmp_path, session_minutes=30)
    assert not session_expired(T0, T0 + 30 * 60 - 0.001, settings)
    assert session_expired(T0, T0 + 30 * 60, settings)
    assert not session_expired(T0, T0, settings)
    assert SESSION_EXPIRED.sv.startswith("Din session har gått ut") and SESSION_EXPIRED.en.startswith("Your session has expired")

