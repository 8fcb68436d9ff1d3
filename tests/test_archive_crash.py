"""A crash or kill in the middle of a submission leaves the archive as it was: whole entries or nothing."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.returns import archive
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from seeds.demo_returns import generate_demo_returns
from tests.returns import minimal_return, write


def assert_every_entry_whole(archive_dir: Path) -> int:
    entries = [p for p in archive_dir.iterdir() if not p.name.startswith(".")] if archive_dir.exists() else []
    for entry in entries:
        receipt = json.loads((entry / "receipt.json").read_text(encoding="utf-8"))
        for f in receipt["files"]:
            assert hashlib.sha256((entry / "files" / f["name"]).read_bytes()).hexdigest() == f["sha256"], entry
    return len(entries)


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    settings = load_settings(tmp_path / "home")
    folder = write(minimal_return(), tmp_path / "return")

    def disk_failure(_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", disk_failure)
    with pytest.raises(OSError):
        submit(folder, settings)
    assert archive.read_receipts(settings.archive_dir) == []
    assert list(settings.archive_dir.iterdir()) == []  # the half-written entry was removed
    monkeypatch.undo()
    assert submit(folder, settings).verdict == "accepted"


@pytest.mark.parametrize("kill_after", [0.8, 1.6, 2.4])
def test_kill_during_submissions(tmp_path, kill_after):
    returns = generate_demo_returns(tmp_path / "returns", site_count=12, years=(2025,))
    home = tmp_path / "home"
    cli = str(Path(sys.executable).parent / "ips-monitor")
    process = subprocess.Popen([cli, "--home", str(home), "submit", *map(str, returns)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored_before = assert_every_entry_whole(home / "archive")
    # sending everything again completes the archive: nothing lost, nothing twice
    settings = load_settings(home)
    verdicts = [submit(path, settings).verdict for path in returns]
    assert verdicts.count("duplicate") == stored_before
    assert assert_every_entry_whole(home / "archive") == len(returns)


def test_staging_left_by_a_killed_submission_is_cleared_later(tmp_path):
    settings = load_settings(tmp_path / "home")
    abandoned, recent = settings.archive_dir / ".incoming-old", settings.archive_dir / ".incoming-now"
    for folder in (abandoned, recent):
        (folder / "files").mkdir(parents=True)
    two_hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    assert submit(write(minimal_return(), tmp_path / "return"), settings).verdict == "accepted"
    assert not abandoned.exists() and recent.exists()  # a recent one may still be a submission under way
    assert len(archive.read_receipts(settings.archive_dir)) == 1
