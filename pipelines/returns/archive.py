"""The archive of submitted returns: every file as it came, with its checksum, time and verdict.

An entry is ``<return_id>/files/…`` (the files unchanged), ``receipt.json`` and, for an accepted
return, ``tables/<table>.parquet``: its typed tables as checked at submission, which every run
loads, so that nothing is parsed or checked twice. An entry is written whole into a hidden folder
and then renamed into place, so a crash or kill leaves either the complete entry or nothing.
Entries are never changed or removed. An accepted return uploaded for a year that already has one
waits for the site to confirm it: its one ``decision.json`` (confirmed or cancelled) is added
once, beside the rest, and until it is confirmed the return supersedes nothing. The one exception is retention
(``ips-monitor retention``): a return of a year past keeping loses its files and typed tables, and its receipt
stays with ``removed.json`` beside it (``remove_participant_data``). A return that holds an identity number never gets here
(see ``submit``). The typed tables are a cache of the check, which ``ips-monitor rebuild`` makes again from the files;
``verify`` checks every entry as stored (checksums, forms, the cache readable) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import private_files
from pipelines.returns.reader import Submission, SubmittedFile
from pipelines.returns.verdict import Verdict
from schemas.tables import ROW, TABLES

RECEIPT = "receipt.json"
DECISION = "decision.json"
REMOVED = "removed.json"  # retention took the entry's files and typed tables (``remove_participant_data``)
FILES = "files"
TYPED_TABLES = "tables"
STAGING_PREFIX = ".incoming-"
# A staging folder this old belongs to a submission that was killed: it never became an entry, so it can go.
ABANDONED_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class Receipt:
    return_id: str
    checksum: str
    received_at: str  # ISO 8601, UTC
    source_name: str
    kind: str
    files: list[dict[str, object]]
    verdict: Verdict  # accepted or rejected
    site_id: str | None
    reporting_year: int | None
    error_count: int
    warning_count: int
    rule_counts: dict[str, int] = field(default_factory=dict)  # problems per rule (none kept before version 0.2)
    supersedes: str | None = None  # the return in effect for the site and year when this one came
    awaits_confirmation: bool = False  # accepted, but it would supersede `supersedes`: the site confirms first
    decision: Decision | None = None  # the site's confirmation or cancellation (decision.json), when it awaits one
    removed: Removal | None = None  # retention removed its participant-level data (removed.json)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Verdict(self.verdict))  # read back from JSON as text
        if isinstance(self.decision, dict):
            object.__setattr__(self, "decision", Decision(**self.decision))
        if isinstance(self.removed, dict):
            object.__setattr__(self, "removed", Removal(**self.removed))

    @property
    def accepted_and_final(self) -> bool:
        """Accepted, and confirmed where it had to be: a return the figures may use (the newest of a site's year)."""
        return (self.verdict == Verdict.ACCEPTED and self.removed is None
                and (not self.awaits_confirmation or (self.decision is not None and self.decision.confirmed)))


@dataclass(frozen=True)
class Decision:
    confirmed: bool  # False: cancelled
    decided_at: str  # ISO 8601, UTC
    decided_by: str  # the user name


@dataclass(frozen=True)
class Removal:
    removed_at: str  # ISO 8601, UTC
    removed_by: str  # the user name
    first_kept_year: int  # the retention kept the reporting years from this one


class AlreadyDecided(Exception):
    """A return's confirmation or cancellation is given once."""


def _entry_names(archive_dir: Path) -> list[str]:
    """The entries' names (their return ids), oldest first: a return id begins with the time it was received."""
    if not archive_dir.exists():
        return []
    with os.scandir(archive_dir) as found:
        return sorted(e.name for e in found if e.is_dir() and not e.name.startswith("."))


def _entries(archive_dir: Path) -> list[Path]:
    return [archive_dir / name for name in _entry_names(archive_dir)]


def read_receipts(archive_dir: Path) -> list[Receipt]:
    """Every archived return, oldest first, with its decision."""
    directory = str(archive_dir)
    return [_read_entry(os.path.join(directory, name)) for name in _entry_names(archive_dir)]


# Each receipt.json read, by its path, with the (mtime, size) it had: a receipt is written once, with its entry, so
# the archive's thousands of receipts are read from disk once per process (the dashboard's register of returns read
# them all at every visit); one changed on disk is read again. Paths are plain strings here: pathlib's parsing was
# 40 % of reading 7,500 receipts (the *Datakvalitet* page at scale 100 reads them twice).
_receipt_fields: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def _read_entry(entry: str | Path) -> Receipt:
    path = os.path.join(entry, RECEIPT)
    stat = os.stat(path)
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _receipt_fields.get(path)
    if cached is None or cached[0] != version:
        with open(path, encoding="utf-8") as receipt:
            cached = (version, json.load(receipt))
        _receipt_fields[path] = cached
    fields = dict(cached[1])
    for name, key in ((DECISION, "decision"), (REMOVED, "removed")):
        beside = os.path.join(entry, name)
        if os.path.exists(beside):
            with open(beside, encoding="utf-8") as written:
                fields[key] = json.load(written)
    return Receipt(**fields)


def locked(archive_dir: Path) -> AbstractContextManager[None]:
    """Held by one process at a time (``flock`` on ``.archive.lock`` beside the archive's folder, which holds only
    entries): a submission holds it while it looks for an earlier copy of itself, finds the return in effect for its
    site and year and stores itself, so that two submissions at the same moment cannot both find nothing in effect, nor
    both store the same return."""
    return private_files.locked(archive_dir.with_name(f".{archive_dir.name}.lock"))


def find(archive_dir: Path, return_id: str) -> Receipt:
    return _read_entry(archive_dir / return_id)


def decide(archive_dir: Path, return_id: str, confirmed: bool, by: str) -> Receipt:
    """Record the site's confirmation or cancellation of a return that awaits it, once: written whole to a
    temporary file and linked into place, which fails if a decision is there already."""
    receipt = find(archive_dir, return_id)
    if not receipt.awaits_confirmation:
        raise ValueError(f"return {return_id} does not await a confirmation")
    decision = Decision(confirmed, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), by)
    entry = archive_dir / return_id
    incoming = entry / f"{STAGING_PREFIX}{DECISION}-{uuid.uuid4().hex}"
    try:
        incoming.write_text(json.dumps(asdict(decision), indent=2), encoding="utf-8")
        with incoming.open("rb") as handle:
            os.fsync(handle.fileno())
        with locked(archive_dir):  # what is in effect changes here: not while a submission finds it
            os.link(incoming, entry / DECISION)  # unlike a rename, a link never replaces a decision made before
    except FileExistsError:
        raise AlreadyDecided(return_id) from None
    finally:
        incoming.unlink(missing_ok=True)
    return find(archive_dir, return_id)


def holds_participant_data(archive_dir: Path, receipt: Receipt) -> bool:
    """Whether the entry has its files or typed tables: every entry until retention removes them."""
    entry = archive_dir / receipt.return_id
    return any((entry / part).exists() or (entry / part).is_symlink() for part in (FILES, TYPED_TABLES))


def remove_participant_data(archive_dir: Path, return_id: str, removal: Removal) -> None:
    """Retention's one change to an entry (``pipelines.retention``): ``removed.json`` is written first, whole, then the
    files and typed tables go; the receipt and any decision stay. Taken again, it finishes what a kill left."""
    entry = archive_dir / return_id
    if not (entry / REMOVED).exists():
        private_files.write_atomically(entry / REMOVED, json.dumps(asdict(removal), indent=2).encode("utf-8"), 0o644)
    for part in (FILES, TYPED_TABLES):
        if (entry / part).is_symlink():
            (entry / part).unlink()
        elif (entry / part).exists():
            shutil.rmtree(entry / part)


def files_dir(archive_dir: Path, receipt: Receipt) -> Path:
    return archive_dir / receipt.return_id / FILES


def current_returns(receipts: list[Receipt]) -> dict[tuple[str, int], Receipt]:
    """The newest accepted return per site and year (confirmed, where it had to be): the one every figure uses.
    The only place this rule lives."""
    current: dict[tuple[str, int], Receipt] = {}
    for receipt in receipts:  # oldest first, so the newest wins
        if receipt.accepted_and_final and receipt.site_id is not None and receipt.reporting_year is not None:
            current[(receipt.site_id, receipt.reporting_year)] = receipt
    return current


def store(archive_dir: Path, submission: Submission, verdict: Verdict, site_id: str | None, reporting_year: int | None,
          error_count: int, warning_count: int, typed_tables: Mapping[str, pl.DataFrame] | None = None,
          rule_counts: Mapping[str, int] | None = None, supersedes: str | None = None, awaits_confirmation: bool = False) -> Receipt:
    """Archive a checked return whole; ``typed_tables`` (an accepted return's) are kept beside its files."""
    now = dt.datetime.now(dt.UTC)
    receipt = Receipt(
        return_id=f"{now:%Y%m%dT%H%M%S%fZ}-{submission.checksum[:12]}",
        checksum=submission.checksum,
        received_at=now.isoformat(timespec="microseconds"),
        source_name=Path(submission.source).name,
        kind=submission.kind,
        files=[{"name": f.name, "sha256": f.sha256, "bytes": len(f.content)} for f in submission.files],
        verdict=verdict,
        site_id=site_id,
        reporting_year=reporting_year,
        error_count=error_count,
        warning_count=warning_count,
        rule_counts=dict(rule_counts or {}),
        supersedes=supersedes,
        awaits_confirmation=awaits_confirmation,
    )
    archive_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(archive_dir)
    staging = archive_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        (staging / FILES).mkdir(parents=True)
        for f in submission.files:
            (staging / FILES / f.name).write_bytes(f.content)
        if typed_tables is not None:
            _write_typed_tables(staging / TYPED_TABLES, typed_tables)
        # decision.json and removed.json hold those, added later
        fields = {name: value for name, value in asdict(receipt).items() if name not in ("decision", "removed")}
        (staging / RECEIPT).write_text(json.dumps(fields, indent=2, ensure_ascii=False), encoding="utf-8")
        for path in staging.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        os.rename(staging, archive_dir / receipt.return_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return receipt


def _write_typed_tables(folder: Path, typed_tables: Mapping[str, pl.DataFrame]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        typed_tables[name].drop(ROW, strict=False).write_parquet(folder / f"{name}.parquet")


def read_typed_tables(archive_dir: Path, receipt: Receipt) -> Iterator[tuple[str, pl.DataFrame]]:
    """An accepted return's typed tables, as checked when it was submitted."""
    for name in TABLES:
        yield name, pl.read_parquet(typed_table_path(archive_dir, receipt, name))


def typed_table_path(archive_dir: Path, receipt: Receipt, name: str) -> Path:
    return archive_dir / receipt.return_id / TYPED_TABLES / f"{name}.parquet"


def has_typed_tables(archive_dir: Path, receipt: Receipt) -> bool:
    return (archive_dir / receipt.return_id / TYPED_TABLES).is_dir()


def add_typed_tables(archive_dir: Path, receipt: Receipt, typed_tables: Mapping[str, pl.DataFrame]) -> None:
    """Give an entry archived before typed tables were kept (version 0.1) its tables, whole or not at all.
    Only the ``tables`` folder is added: the files and the receipt stay as they are."""
    entry = archive_dir / receipt.return_id
    staging = entry / f"{STAGING_PREFIX}{TYPED_TABLES}-{uuid.uuid4().hex}"
    try:
        _write_typed_tables(staging, typed_tables)
        os.rename(staging, entry / TYPED_TABLES)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned_staging(archive_dir: Path) -> None:
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for path in archive_dir.glob(f"{STAGING_PREFIX}*"):
        if path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class Damage:
    """Something wrong in an archive entry, as ``verify`` found it."""

    return_id: str  # the entry's folder
    path: str  # within the entry: receipt.json, files/deltagare.csv, decision.json, tables/deltagare.parquet
    problem_sv: str
    problem_en: str
    cache_only: bool = False  # in the typed tables only: made again from the files, so nothing of the truth is lost

    def __str__(self) -> str:
        return f"{self.return_id}/{self.path}: {self.problem_sv} / {self.problem_en}"


@dataclass(frozen=True)
class Verification:
    entries: int
    damage: list[Damage]

    @property
    def files_intact(self) -> bool:
        """Every entry's files, receipt and decision as they were stored: what a rebuild may rest on."""
        return all(d.cache_only for d in self.damage)


def verify(archive_dir: Path) -> Verification:
    """Check every entry as it is stored, changing nothing (every file is only read): each file against the size and
    SHA-256 its receipt recorded and the return's checksum computed again from them as at submission
    (``Submission.checksum``), no file the receipt does not list, the receipt's and the decision's form, and an accepted
    return's typed tables present and readable, with the columns this version writes, by the reader every run uses."""
    entries = _entries(archive_dir)
    found: list[Damage] = []
    typed_tables: list[tuple[str, Path]] = []  # (entry, file) of every accepted return's typed tables that are there
    for entry in entries:
        def damage(path: str, problem_sv: str, problem_en: str, cache_only: bool = False, entry: Path = entry) -> None:
            found.append(Damage(entry.name, path, problem_sv, problem_en, cache_only))

        damage_before = len(found)
        receipt = _verified_receipt(entry, damage)
        if receipt is None:
            continue
        if (entry / REMOVED).exists() or (entry / REMOVED).is_symlink():
            _verify_removal(entry, receipt, damage)
            continue
        contents = _verified_files(entry, receipt, damage)
        if len(found) == damage_before and Submission(receipt.source_name, receipt.kind, contents).checksum != receipt.checksum:
            damage(RECEIPT, "kontrollsumman stämmer inte med filernas", "the checksum does not match the files'")
        _verify_decision(entry, receipt, damage)
        if receipt.verdict == Verdict.ACCEPTED:
            typed_tables += [(entry.name, path) for path in _present_typed_tables(entry, damage)]
    for (return_id, path), columns in zip(typed_tables, _columns_read_apart([path for _, path in typed_tables])):
        expected = {name: str(kind) for name, kind in TABLES[path.stem].empty_frame().drop(ROW).schema.items()}
        if columns != expected:
            problem = (f"kan inte läsas: {columns}", f"cannot be read: {columns}") if isinstance(columns, str) else \
                      ("har andra kolumner än denna version skriver", "has other columns than this version writes")
            found.append(Damage(return_id, f"{TYPED_TABLES}/{path.name}", f"{problem[0]} ({_REMADE[0]})", f"{problem[1]} ({_REMADE[1]})", True))
    return Verification(len(entries), sorted(found, key=lambda d: (d.return_id, d.path)))


def _verified_receipt(entry: Path, damage: Callable[..., None]) -> Receipt | None:
    path = entry / RECEIPT
    if path.is_symlink() or not path.is_file():
        damage(RECEIPT, "saknas", "missing")
        return None
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        if "decision" in fields or "removed" in fields:
            raise ValueError("decision" if "decision" in fields else "removed")
        receipt = Receipt(**fields)
        listed = [(str(f["name"]), str(f["sha256"]), int(f["bytes"])) for f in receipt.files]  # type: ignore[call-overload]
        if not receipt.verdict.archived or (receipt.verdict == Verdict.ACCEPTED and not (receipt.site_id and receipt.reporting_year)):
            raise ValueError("verdict")
        if not listed or len({name for name, _, _ in listed}) != len(listed):
            raise ValueError("files")
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as error:
        damage(RECEIPT, f"inte ett kvitto ({error})", f"not a receipt ({error})")
        return None
    if receipt.return_id != entry.name:
        damage(RECEIPT, f"gäller en annan rapport: {receipt.return_id}", f"is about another return: {receipt.return_id}")
        return None
    if not receipt.return_id.endswith(f"-{receipt.checksum[:12]}"):
        damage(RECEIPT, "kontrollsumman stämmer inte med rapportens id", "the checksum does not match the return's id")
    return receipt


def _verified_files(entry: Path, receipt: Receipt, damage: Callable[..., None]) -> tuple[SubmittedFile, ...]:
    """The files the receipt lists, as stored, each checked against its size and SHA-256 there; no file beside them."""
    folder = entry / FILES
    listed = {str(f["name"]): f for f in receipt.files}
    contents = []
    for name, recorded in listed.items():
        path = folder / name
        shown = f"{FILES}/{name}"
        if Path(name).name != name or name in ("", ".", ".."):
            damage(shown, "namnet är inget filnamn", "the name is not a file name")
        elif path.is_symlink() or not path.is_file():
            damage(shown, "saknas", "missing")
        else:
            stored = SubmittedFile(name, path.read_bytes())
            if len(stored.content) != recorded["bytes"]:
                damage(shown, f"har {len(stored.content)} byte, kvittot säger {recorded['bytes']}",
                       f"holds {len(stored.content)} bytes, the receipt says {recorded['bytes']}")
            elif stored.sha256 != recorded["sha256"]:
                damage(shown, "innehållet stämmer inte med kvittots kontrollsumma (SHA-256)",
                       "the content does not match the receipt's checksum (SHA-256)")
            contents.append(stored)
    extra = sorted(p.name for p in folder.iterdir() if p.name not in listed) if folder.is_dir() and not folder.is_symlink() else []
    for name in extra:
        damage(f"{FILES}/{name}", "finns inte i kvittot", "is not in the receipt")
    return tuple(contents)


def _verify_decision(entry: Path, receipt: Receipt, damage: Callable[..., None]) -> None:
    path = entry / DECISION
    if not (path.exists() or path.is_symlink()):
        return
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        valid = (isinstance(fields, dict) and set(fields) == {"confirmed", "decided_at", "decided_by"}
                 and isinstance(fields["confirmed"], bool) and isinstance(fields["decided_by"], str) and bool(fields["decided_by"])
                 and dt.datetime.fromisoformat(fields["decided_at"]).tzinfo is not None)
    except (OSError, UnicodeDecodeError, ValueError, TypeError):
        valid = False
    if not valid:
        damage(DECISION, "inte ett beslut (confirmed, decided_at, decided_by)", "not a decision (confirmed, decided_at, decided_by)")
    elif not receipt.awaits_confirmation:
        damage(DECISION, "rapporten väntade inte på något beslut", "the return awaited no decision")


def _verify_removal(entry: Path, receipt: Receipt, damage: Callable[..., None]) -> None:
    """An entry retention has removed the files of: its ``removed.json`` in form, its files and typed tables gone."""
    try:
        fields = json.loads((entry / REMOVED).read_text(encoding="utf-8"))
        valid = (isinstance(fields, dict) and set(fields) == {"removed_at", "removed_by", "first_kept_year"}
                 and isinstance(fields["first_kept_year"], int) and isinstance(fields["removed_by"], str)
                 and dt.datetime.fromisoformat(fields["removed_at"]).tzinfo is not None)
    except (OSError, UnicodeDecodeError, ValueError, TypeError):
        valid = False
    if not valid:
        damage(REMOVED, "inte en gallring (removed_at, removed_by, first_kept_year)", "not a removal (removed_at, removed_by, first_kept_year)")
    if holds_participant_data(entry.parent, receipt):
        damage(FILES, "gallringen avbröts: kör `ips-monitor retention` igen", "the retention was stopped: run `ips-monitor retention` again")
    _verify_decision(entry, receipt, damage)


_REMADE = ("en cache: `ips-monitor rebuild` gör om den från filerna", "a cache: `ips-monitor rebuild` makes it again from the files")


def _present_typed_tables(entry: Path, damage: Callable[..., None]) -> list[Path]:
    folder = entry / TYPED_TABLES
    if folder.is_symlink() or not folder.is_dir():
        damage(f"{TYPED_TABLES}/", f"de typade tabellerna saknas ({_REMADE[0]})", f"the typed tables are missing ({_REMADE[1]})", True)
        return []
    present = []
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if path.is_symlink() or not path.is_file():
            damage(f"{TYPED_TABLES}/{path.name}", f"saknas ({_REMADE[0]})", f"missing ({_REMADE[1]})", True)
        else:
            present.append(path)
    return present


# Reads each Parquet file named on standard input (a JSON string a line) and answers its columns, or why it cannot be read.
_READ_PARQUET = """
import json, sys
import polars as pl
for line in sys.stdin:
    try:
        answer = {name: str(kind) for name, kind in pl.read_parquet(json.loads(line)).schema.items()}
    except Exception as error:
        answer = str(error).splitlines()[0] if str(error) else type(error).__name__
    print(json.dumps(answer), flush=True)
"""


def _columns_read_apart(paths: list[Path]) -> list[dict[str, str] | str]:
    """Each Parquet file's columns as polars (the reader every run uses) reads them, or why it cannot, read in a child
    process: a damaged file can make polars abort the process outright (one flipped bit in about 400 does), which must
    end neither ``verify`` nor the check of the files after it."""
    answers: list[dict[str, str] | str] = []
    while len(answers) < len(paths):
        remaining = paths[len(answers):]
        child = subprocess.run([sys.executable, "-c", _READ_PARQUET], input="".join(json.dumps(str(p)) + "\n" for p in remaining),
                               capture_output=True, text=True, check=False)
        answers += [json.loads(line) for line in child.stdout.splitlines()][:len(remaining)]
        if len(answers) < len(paths):  # the reader died on the next file
            answers.append(f"polars aborted the process (exit {child.returncode})")
    return answers
