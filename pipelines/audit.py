"""The audit log: who signed in (or failed to), sent, confirmed or cancelled a return, ran the pipeline, exported figures,
changed a user or a site, and whose own figures an analyst opened.

It is ``Settings.audit_log_path`` in the data home, JSON Lines, one entry a line, that only its owner may read (mode 0600,
in a folder of mode 0700). It is only ever appended to: each entry is opened with ``O_APPEND``, written in one ``write``
under an exclusive lock on the file itself and flushed to disk; nothing rewrites or truncates it. So the dashboard, the
daemon's runs and the command line, writing at once, each add whole lines, and a line cut short by a process killed
mid-write stays a damaged line of its own (``read`` reports it) instead of spoiling the next.

An entry has fixed fields and nothing else: when (UTC), who (a user name; ``cli:<os user>`` for the command line;
``dagster`` for a run), the role, the action (``Action``), its outcome as one short word, and a site id, a year, a
subject (a return id, a run id, a user name, a file name) and details under a fixed list of keys, each cut down to a
short token. There is no field for a password, for anything a return says beyond its site and year, or for free text.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipelines.access.roles import Reader, Role
from pipelines.settings import Settings
from schemas.tables import SITE_ID

LOG_MODE, FOLDER_MODE = 0o600, 0o700
# One entry is one write() of at most this many bytes: below PIPE_BUF (4096 on Linux), so that even without the lock
# an append of one line is never interleaved with another's.
MAX_LINE_BYTES = 4000
TOKEN_CHARS = 120  # the longest subject, actor or detail value kept; longer ones are cut
_NOT_TOKEN = re.compile(r"[^\w .@+:/,=()-]")  # anything else (line breaks, quotes, control characters) becomes "_"
OUTCOME = re.compile(r"[a-z_]{1,32}")
# An analyst's opening of one site's figures is recorded at most once per this many seconds per process: a page
# draws a site with many queries, each of which passes the guard.
SITE_OPENED_EVERY_SECONDS = 10 * 60
COMMAND_LINE_PREFIX = "cli:"
DAGSTER_ACTOR = "dagster"


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    UPLOAD = "upload"  # a return sent, on the dashboard or with `ips-monitor submit`: its verdict is the outcome
    CONFIRM = "confirm"  # a site's confirmation of an upload that replaces its return in effect ...
    CANCEL = "cancel"  # ... or its cancellation
    RUN = "run"  # `ips-monitor run` started and finished; a run (whoever started it) published figures
    EXPORT = "export"  # `ips-monitor export` or `site-report`, a download from the dashboard
    USER_CHANGE = "user_change"
    SITE_CHANGE = "site_change"
    SITE_OPENED = "site_opened"  # an analyst opened a site's own (unprotected) figures
    REBUILD = "rebuild"  # `ips-monitor rebuild`: everything made again from the archive
    RETENTION = "retention"  # `ips-monitor retention`: participant-level data of old years removed


class Outcome(StrEnum):
    """The outcomes that are not a verdict or a refusal's reason, which are recorded as they are."""

    OK = "ok"
    STARTED = "started"
    FAILED = "failed"
    DENIED = "denied"  # the reader's role may not do it
    PUBLISHED = "published"


# The keys ``detail`` may have: a new one is added here, on purpose, or refused.
DETAIL_KEYS = frozenset({
    "change",  # what a user or site change was: add, remove, set_password, update, deactivate, register_from_return
    "fields",  # the names of the fields a site change changed (never their values)
    "user_role",  # the role of the user changed
    "format",  # of an export
    "job",  # the Dagster job of a run
    "partitions",  # the reporting years a run loaded
    "awaits_confirmation",  # an accepted upload that waits for the site's confirmation
    "supersedes",  # the return id an upload or a confirmation replaces
    "count",  # how many (files, sites, returns ...)
    "first_kept_year",  # of a retention: the years before it lost their participant-level data
})


@dataclass(frozen=True)
class Entry:
    time: str  # ISO 8601, UTC, to the second
    actor: str
    action: Action
    outcome: str
    role: str | None = None
    site_id: str | None = None
    year: int | None = None
    subject: str | None = None
    detail: dict[str, str | int | bool] = field(default_factory=dict)

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.time)

    def as_json(self) -> str:
        fields = {"time": self.time, "actor": self.actor, "role": self.role, "action": str(self.action), "outcome": self.outcome,
                  "site_id": self.site_id, "year": self.year, "subject": self.subject, "detail": self.detail}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class AuditLog:
    """What ``read`` found: the entries asked for, and the numbers (from 1) of the lines that are not whole entries."""

    entries: list[Entry]
    damaged_lines: list[int]


def command_line_actor() -> str:
    """Who acts at the command line: ``cli:`` and the operating system's user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor in the password database
        user = str(os.getuid())
    return f"{COMMAND_LINE_PREFIX}{user}"


def unknown_name(typed: str) -> str:
    """How a sign-in under a name nobody has is recorded: not the name, which may be a password typed into the wrong field,
    but a short hash of it, enough to see the same name tried again."""
    return "unknown:" + hashlib.sha256(typed.encode("utf-8")).hexdigest()[:8]


def record(settings: Settings, action: Action, *, actor: str, role: str | None = None, outcome: str = Outcome.OK,
           site_id: str | None = None, year: int | None = None, subject: str | None = None,
           detail: Mapping[str, str | int | bool | None] | None = None) -> Entry:
    """Append one entry to the audit log and return it. A site id or a year of the wrong shape is left out; ``outcome``
    must be one short word; ``detail`` takes only the keys of ``DETAIL_KEYS`` (a None value is left out)."""
    if not OUTCOME.fullmatch(str(outcome)):
        raise ValueError(f"an audit outcome is one short word: {outcome!r}")
    unknown_keys = set(detail or {}) - DETAIL_KEYS
    if unknown_keys:
        raise ValueError(f"not audit detail keys: {sorted(unknown_keys)}")
    entry = Entry(
        time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), actor=_token(actor) or "unknown", action=Action(action),
        outcome=str(outcome), role=str(Role(role)) if role is not None else None,
        site_id=site_id if site_id is not None and SITE_ID.fullmatch(site_id) else None,
        year=year if isinstance(year, int) and 1900 <= year <= 2999 else None,
        subject=_token(subject) if subject is not None else None,
        detail={key: value if isinstance(value, (bool, int)) else _token(value)
                for key, value in sorted((detail or {}).items()) if value is not None})
    line = (entry.as_json() + "\n").encode("utf-8")
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"an audit entry is at most {MAX_LINE_BYTES} bytes: {len(line)}")
    _append(settings.audit_log_path, line)
    return entry


def record_by(settings: Settings, reader: Reader | None, action: Action, *, outcome: str = Outcome.OK, site_id: str | None = None,
              year: int | None = None, subject: str | None = None, detail: Mapping[str, str | int | bool | None] | None = None) -> Entry:
    """``record`` with the reader as the actor, or the command line's user when there is no reader."""
    actor, role = (command_line_actor(), None) if reader is None else (reader.username, reader.role)
    return record(settings, action, actor=actor, role=role, outcome=outcome, site_id=site_id, year=year, subject=subject, detail=detail)


_site_opened_at: dict[tuple[Path, str, str], float] = {}
_site_opened_lock = threading.Lock()
_clock = time.monotonic  # replaced by tests


def record_site_opened(settings: Settings, reader: Reader, site_id: str) -> bool:
    """Record that an analyst opened ``site_id``'s own figures, unless this process recorded it for the same analyst and
    site in the last ``SITE_OPENED_EVERY_SECONDS``; whether it was recorded. Other roles are not recorded here: a site
    reader opens only its own figures."""
    if reader.role != Role.ANALYST:
        return False
    key = (settings.audit_log_path, reader.username, site_id)
    now = _clock()
    with _site_opened_lock:
        last = _site_opened_at.get(key)
        if last is not None and now - last < SITE_OPENED_EVERY_SECONDS:
            return False
        _site_opened_at[key] = now
    try:
        record_by(settings, reader, Action.SITE_OPENED, site_id=site_id)
    except BaseException:
        with _site_opened_lock:
            _site_opened_at.pop(key, None)  # not recorded: the next query tries again
        raise
    return True


def read(settings: Settings, since: dt.datetime | None = None, until: dt.datetime | None = None, actor: str | None = None,
         action: Action | None = None, site_id: str | None = None) -> AuditLog:
    """The entries from ``since`` (inclusive) to ``until`` (exclusive), of ``actor`` (any case), ``action`` and
    ``site_id``, oldest first; a line that is not a whole entry (a write cut short) is reported, not read."""
    path = settings.audit_log_path
    if not path.exists():
        return AuditLog([], [])
    entries, damaged = [], []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            entry = _parse(raw)
            if entry is None:
                if raw.strip():
                    damaged.append(number)
                continue
            if ((since is None or entry.at >= since) and (until is None or entry.at < until)
                    and (actor is None or entry.actor.lower() == actor.strip().lower())
                    and (action is None or entry.action == action) and (site_id is None or entry.site_id == site_id)):
                entries.append(entry)
    return AuditLog(entries, damaged)


def _parse(raw: bytes) -> Entry | None:
    if not raw.endswith(b"\n"):
        return None  # the last line, cut short
    try:
        fields = json.loads(raw.decode("utf-8"))
        dt.datetime.fromisoformat(fields["time"])  # a time that does not parse makes the line damaged
        entry = Entry(time=fields["time"], actor=fields["actor"], action=Action(fields["action"]), outcome=fields["outcome"],
                      role=fields["role"], site_id=fields["site_id"], year=fields["year"], subject=fields["subject"],
                      detail=fields["detail"])
    except (ValueError, KeyError, TypeError):
        return None
    return entry


def _token(value: object) -> str:
    """``value`` as a short token of letters, digits and a few marks; anything else becomes ``_``."""
    return _NOT_TOKEN.sub("_", str(value))[:TOKEN_CHARS]


def _append(path: Path, line: bytes) -> None:
    """Add ``line`` at the end of the log in one write under an exclusive lock, after a line break if the last line was
    cut short, and flush it to disk."""
    _make_folder(path.parent)
    created = not path.exists()
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, LOG_MODE)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        status = os.fstat(descriptor)
        if status.st_mode & 0o777 != LOG_MODE:
            os.fchmod(descriptor, LOG_MODE)
        if status.st_size and os.pread(descriptor, 1, status.st_size - 1) != b"\n":
            line = b"\n" + line  # a write cut short before: it stays a line of its own
        written = os.write(descriptor, line)
        if written != len(line):
            raise OSError(f"{path}: wrote {written} of {len(line)} bytes")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:
        _fsync_folder(path.parent)


def _make_folder(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        return
    os.chmod(folder, FOLDER_MODE)  # whatever the umask
    _fsync_folder(folder.parent)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
