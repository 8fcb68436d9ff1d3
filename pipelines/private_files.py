"""Files in the data home that only their owner may read (mode 0600), such as the users file and the site register:
each rewritten whole and swapped in atomically, under a lock held while it is read, changed and written back, so a
reader sees the old file or the new one and two changes cannot lose each other."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_MODE = 0o600


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Held by one process or thread at a time (``flock`` on ``lock_path``, a file of mode 0600 beside the files it
    guards, made with its folder when missing)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def write_private_json(path: Path, content: object) -> None:
    """Write ``content`` as JSON to a file of mode 0600 beside ``path``, flush it to disk, swap it in."""
    write_atomically(path, json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8"), PRIVATE_MODE)


PRIVATE_FILE = 0o600  # users, the site register, anything quoting a return's cells
PUBLIC_FILE = 0o644  # published figures and exports


def write_atomically(path: Path, content: bytes, mode: int) -> None:
    """Write ``content`` to a file of ``mode`` beside ``path``, flush it to disk and swap it in: a reader sees the old
    file or the new one, never a part, and the change survives a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".incoming")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself
    finally:
        os.close(folder)
