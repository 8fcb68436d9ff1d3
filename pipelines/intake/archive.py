"""The archive of submitted returns: every file as it came, with its checksum, time and verdict.

An entry is written whole into a hidden folder and then renamed into place,
so a crash or kill leaves either the complete entry or nothing. Entries are
never changed or removed. A return that holds an identity number never gets
here (see ``submit``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.intake.reader import Submission

RECEIPT = "receipt.json"
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
    verdict: str  # "accepted" or "rejected"
    site_id: str | None
    reporting_year: int | None
    error_count: int
    warning_count: int


def _entries(archive_dir: Path) -> list[Path]:
    if not archive_dir.exists():
        return []
    return sorted(p for p in archive_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_receipts(archive_dir: Path) -> list[Receipt]:
    """Every archived return, oldest first."""
    return [Receipt(**json.loads((p / RECEIPT).read_text(encoding="utf-8"))) for p in _entries(archive_dir)]


def find_by_checksum(archive_dir: Path, checksum: str) -> Receipt | None:
    return next((r for r in read_receipts(archive_dir) if r.checksum == checksum), None)


def files_dir(archive_dir: Path, receipt: Receipt) -> Path:
    return archive_dir / receipt.return_id / "files"


def store(archive_dir: Path, submission: Submission, verdict: str, site_id: str | None, reporting_year: int | None,
          error_count: int, warning_count: int) -> Receipt:
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
    )
    archive_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(archive_dir)
    staging = archive_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        (staging / "files").mkdir(parents=True)
        for f in submission.files:
            (staging / "files" / f.name).write_bytes(f.content)
        (staging / RECEIPT).write_text(json.dumps(asdict(receipt), indent=2, ensure_ascii=False), encoding="utf-8")
        for path in (*(staging / "files").iterdir(), staging / RECEIPT):
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        os.rename(staging, archive_dir / receipt.return_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return receipt


def _remove_abandoned_staging(archive_dir: Path) -> None:
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for path in archive_dir.glob(f"{STAGING_PREFIX}*"):
        if path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


def current_returns(receipts: list[Receipt]) -> dict[tuple[str, int], Receipt]:
    """The newest accepted return per site and year: the one every figure uses."""
    current: dict[tuple[str, int], Receipt] = {}
    for receipt in receipts:  # oldest first, so the newest wins
        if receipt.verdict == "accepted" and receipt.site_id is not None and receipt.reporting_year is not None:
            current[(receipt.site_id, receipt.reporting_year)] = receipt
    return current
