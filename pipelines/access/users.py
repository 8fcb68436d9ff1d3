"""The users file: who may sign in, with which role (and site), and the argon2id hash of their password.

It is ``Settings.users_path`` in the data home, never in the repository, and only its owner may read it
(mode 0600). Every change rewrites it whole and swaps it in atomically, under the access lock, so a
reader sees the old file or the new one and two changes cannot lose each other. User names are
compared without case and surrounding spaces (``normalize_username``). Each change is recorded in the audit log
(``pipelines.audit``): the user changed, the role, who changed it; never a password.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from pipelines import audit
from pipelines.access import messages
from pipelines.access.roles import Reader, Role
from pipelines.private_files import locked, write_private_json
from pipelines.settings import Settings
from schemas.tables import SITE_ID

# argon2id with argon2-cffi's defaults (RFC 9106's second recommended choice); signing in rehashes
# a stored hash whose parameters differ from these.
PASSWORD_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"[\w.@+-]{1,64}")
# Generated passwords: no 0/o, 1/l/i, so they can be read aloud and typed; 4 × 4 of 31 characters ≈ 79 bits.
READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_GROUPS, GENERATED_GROUP_LENGTH = 4, 4


class UserError(ValueError):
    """A change to the users file that cannot be made; ``str()`` is the Swedish / English message."""

    def __init__(self, message: messages.Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    site_id: str | None
    password_hash: str = field(repr=False)

    @property
    def reader(self) -> Reader:
        return Reader(self.username, self.role, self.site_id)


def normalize_username(username: str) -> str:
    return username.strip().lower()


def generate_password() -> str:
    """A random password such as ``k7xq-m2pd-w9af-3hnt`` (19 characters)."""
    groups = ("".join(secrets.choice(READABLE_CHARACTERS) for _ in range(GENERATED_GROUP_LENGTH)) for _ in range(GENERATED_GROUPS))
    return "-".join(groups)


def find_user(settings: Settings, username: str) -> User | None:
    return _load(settings).get(normalize_username(username))


def list_users(settings: Settings) -> list[Reader]:
    """Every user as a reader (name, role, site), by name: nothing of their passwords."""
    return [user.reader for user in sorted(_load(settings).values(), key=lambda user: user.username)]


def check_new_user(settings: Settings, username: str, role: Role, site_id: str | None) -> None:
    """Raise ``UserError`` unless ``add_user`` could add this user (before asking for a password)."""
    name = normalize_username(username)
    if not USERNAME.fullmatch(name):
        raise UserError(messages.invalid_username(username))
    if role == Role.SITE and not site_id:
        raise UserError(messages.SITE_ID_REQUIRED)
    if role == Role.SITE and site_id is not None and not SITE_ID.fullmatch(site_id):
        raise UserError(messages.invalid_site_id(site_id))
    if role != Role.SITE and site_id is not None:
        raise UserError(messages.site_id_forbidden(role))
    if name in _load(settings):
        raise UserError(messages.user_exists(name))


def add_user(settings: Settings, username: str, role: Role, password: str, site_id: str | None = None, *,
             by: Reader | None = None) -> Reader:
    """Add a user; ``by``: who adds it (None: the command line's user), for the audit log."""
    check_new_user(settings, username, role, site_id)
    password_hash = _hash(password)
    name = normalize_username(username)
    with access_lock(settings):
        users = _load(settings)
        if name in users:
            raise UserError(messages.user_exists(name))
        users[name] = User(name, role, site_id, password_hash)
        reader = users[name].reader  # Reader checks role and site again, before anything is written
        _save(settings, users)
    _audit(settings, by, "add", reader)
    return reader


def remove_user(settings: Settings, username: str, *, by: Reader | None = None) -> Reader:
    """Remove ``username``; returns who it was. ``by``: who removes it (None: the command line's user)."""
    name = normalize_username(username)
    with access_lock(settings):
        users = _load(settings)
        removed = users.pop(name, None)
        if removed is None:
            raise UserError(messages.no_such_user(name))
        _save(settings, users)
    _audit(settings, by, "remove", removed.reader)
    return removed.reader


def set_password(settings: Settings, username: str, password: str, *, by: Reader | None = None) -> None:
    """Give ``username`` a new password. ``by``: who does (None: the command line's user)."""
    password_hash = _hash(password)
    name = normalize_username(username)
    with access_lock(settings):
        users = _load(settings)
        if name not in users:
            raise UserError(messages.no_such_user(name))
        users[name] = User(name, users[name].role, users[name].site_id, password_hash)
        _save(settings, users)
    _audit(settings, by, "set_password", users[name].reader)


def rehash_if_needed(settings: Settings, user: User, password: str) -> bool:
    """After ``password`` was verified against ``user``'s hash: store a new hash if argon2 says the old one's
    parameters are out of date (and nobody changed the password meanwhile)."""
    if not PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        return False
    password_hash = PASSWORD_HASHER.hash(password)
    with access_lock(settings):
        users = _load(settings)
        if users.get(user.username) != user:
            return False
        users[user.username] = User(user.username, user.role, user.site_id, password_hash)
        _save(settings, users)
    return True


def check_password(password: str) -> None:
    if not password:
        raise UserError(messages.PASSWORD_EMPTY)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(messages.password_too_short(MIN_PASSWORD_LENGTH))


def _hash(password: str) -> str:
    check_password(password)
    return PASSWORD_HASHER.hash(password)


def _audit(settings: Settings, by: Reader | None, change: str, user: Reader) -> None:
    audit.record_by(settings, by, audit.Action.USER_CHANGE, site_id=user.site_id, subject=user.username,
                    detail={"change": change, "user_role": str(user.role)})


def _load(settings: Settings) -> dict[str, User]:
    if not settings.users_path.exists():
        return {}
    stored = json.loads(settings.users_path.read_text(encoding="utf-8"))
    users = (User(u["username"], Role(u["role"]), u["site_id"], u["password_hash"]) for u in stored["users"])
    return {user.username: user for user in users}


def _save(settings: Settings, users: dict[str, User]) -> None:
    rows = [
        {"username": u.username, "role": str(u.role), "site_id": u.site_id, "password_hash": u.password_hash}
        for u in sorted(users.values(), key=lambda user: user.username)
    ]
    write_private_json(settings.users_path, {"users": rows})


@contextmanager
def access_lock(settings: Settings) -> Iterator[None]:
    """Held while the users file or the sign-in failures are read, changed and written back, by any
    process or thread: one lock for both files."""
    with locked(settings.users_path.with_name(".access.lock")):
        yield
