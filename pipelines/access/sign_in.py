"""Signing in: a user name and password become a ``Reader``, or a refusal saying why.

Failed attempts are counted per user name in ``Settings.sign_in_failures_path`` (mode 0600, replaced
atomically). After ``FREE_SIGN_IN_FAILURES`` failures in a row, an attempt is refused without looking
at the password until a wait has passed: 2 seconds, then 4, 8 … with each further failure, at most 15
minutes. A successful sign-in clears the count. A name nobody has is counted and throttled the same
way, and its password is checked against a dummy hash, so neither the waits nor the time taken tell
whether a name exists. The file holds a SHA-256 of each name, not the name: a password typed into the
name field is not kept in clear.

Every sign-in and every refusal is recorded in the audit log (``pipelines.audit``): a known user by name, a name
nobody has by a short hash of it (``audit.unknown_name``), for the same reason; never a password.
"""

from __future__ import annotations

import hashlib
import json
import time
from enum import StrEnum
from typing import TypedDict

from argon2.exceptions import InvalidHashError, VerificationError

from pipelines import audit
from pipelines.access import messages
from pipelines.access.roles import Reader
from pipelines.access.users import PASSWORD_HASHER, User, access_lock, find_user, normalize_username, rehash_if_needed
from pipelines.private_files import write_private_json
from pipelines.settings import FREE_SIGN_IN_FAILURES, Settings

FIRST_WAIT_SECONDS = 2
MAX_WAIT_SECONDS = 15 * 60
# A name's count is forgotten a day after its last failure (so the file does not grow without end).
FORGET_FAILURES_AFTER_SECONDS = 24 * 60 * 60
# Checked when the name is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = PASSWORD_HASHER.hash("not anybody's password")


class RefusalReason(StrEnum):
    UNKNOWN_USER = "unknown_user"
    WRONG_PASSWORD = "wrong_password"
    THROTTLED = "throttled"


class SignInRefused(Exception):
    """Why a sign-in was refused, with what to tell the person (``message_sv``, ``message_en``)."""

    def __init__(self, reason: RefusalReason, wait_seconds: float = 0.0) -> None:
        self.reason = reason
        self.wait_seconds = wait_seconds  # for THROTTLED: how long until the next attempt is looked at
        self.message = messages.throttled(wait_seconds) if reason == RefusalReason.THROTTLED else _REFUSALS[reason]
        self.message_sv, self.message_en = self.message.sv, self.message.en
        super().__init__(str(self.message))


_REFUSALS = {RefusalReason.UNKNOWN_USER: messages.UNKNOWN_USER, RefusalReason.WRONG_PASSWORD: messages.WRONG_PASSWORD}


class Failures(TypedDict):
    count: int
    last_failure: float  # seconds since the epoch


def sign_in(settings: Settings, username: str, password: str, now: float | None = None) -> Reader:
    """The reader ``username`` signs in as, or ``SignInRefused``; either is recorded in the audit log. ``now`` (seconds
    since the epoch) is for tests."""
    name = normalize_username(username)
    try:
        reader = _sign_in(settings, name, password, time.time() if now is None else now)
    except SignInRefused as refusal:
        known = refusal.reason == RefusalReason.WRONG_PASSWORD or (
            refusal.reason == RefusalReason.THROTTLED and find_user(settings, name) is not None)
        audit.record(settings, audit.Action.SIGN_IN_FAILED, actor=name if known else audit.unknown_name(name), outcome=refusal.reason)
        raise
    audit.record_by(settings, reader, audit.Action.SIGN_IN, site_id=reader.site_id)
    return reader


def _sign_in(settings: Settings, name: str, password: str, now: float) -> Reader:
    key = _failures_key(name)
    with access_lock(settings):
        failures = _load_failures(settings)
        wait = remaining_wait(failures.get(key), now)
        if wait > 0:
            raise SignInRefused(RefusalReason.THROTTLED, wait)
        user = find_user(settings, name)
        if not _password_matches(user, password) or user is None:
            previous = failures.get(key)
            failures[key] = Failures(count=(previous["count"] if previous else 0) + 1, last_failure=now)
            _save_failures(settings, failures, now)
            raise SignInRefused(RefusalReason.UNKNOWN_USER if user is None else RefusalReason.WRONG_PASSWORD)
        if failures.pop(key, None) is not None:
            _save_failures(settings, failures, now)
    rehash_if_needed(settings, user, password)
    return user.reader


def remaining_wait(failures: Failures | None, now: float) -> float:
    """Seconds until a name with these failures may try again (0 when it may now)."""
    if failures is None or failures["count"] < FREE_SIGN_IN_FAILURES:
        return 0.0
    wait = min(FIRST_WAIT_SECONDS * 2 ** (failures["count"] - FREE_SIGN_IN_FAILURES), MAX_WAIT_SECONDS)
    return max(0.0, min(failures["last_failure"] + wait - now, wait))  # a clock set back does not lengthen it


def session_expired(signed_in_at: float, now: float, settings: Settings) -> bool:
    """Whether a session begun at ``signed_in_at`` has ended by ``now`` (both seconds since the epoch)."""
    return now - signed_in_at >= settings.session_minutes * 60


def _password_matches(user: User | None, password: str) -> bool:
    """Verify against the user's hash, or against the dummy one for nobody (and say no)."""
    try:
        PASSWORD_HASHER.verify(_DUMMY_HASH if user is None else user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def _failures_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _load_failures(settings: Settings) -> dict[str, Failures]:
    if not settings.sign_in_failures_path.exists():
        return {}
    stored: dict[str, Failures] = json.loads(settings.sign_in_failures_path.read_text(encoding="utf-8"))
    return stored


def _save_failures(settings: Settings, failures: dict[str, Failures], now: float) -> None:
    kept = {key: f for key, f in failures.items() if now - f["last_failure"] < FORGET_FAILURES_AFTER_SECONDS}
    write_private_json(settings.sign_in_failures_path, kept)
