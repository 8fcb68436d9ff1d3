"""The accepted returns a run loads: their typed tables as checked at submission, and which is current."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.returns import archive
from pipelines.returns.check import check_return
from pipelines.returns.reader import Submission, SubmittedFile


def accepted_receipts(archive_dir: Path) -> list[archive.Receipt]:
    """Every accepted return, oldest first, superseded ones too (the history is kept); not one still awaiting
    the site's confirmation, nor one it cancelled."""
    return [r for r in archive.read_receipts(archive_dir) if r.accepted_and_final]


def current_return_ids(receipts: list[archive.Receipt]) -> set[str]:
    return {r.return_id for r in archive.current_returns(receipts).values()}


def typed_tables(archive_dir: Path, receipt: archive.Receipt) -> dict[str, pl.DataFrame]:
    """The return's typed tables. An entry archived by version 0.1 has none yet: they are made once, by the
    same check as at submission, and added to the entry."""
    if not archive.has_typed_tables(archive_dir, receipt):
        folder = archive.files_dir(archive_dir, receipt)
        files = tuple(SubmittedFile(str(f["name"]), (folder / str(f["name"])).read_bytes()) for f in receipt.files)
        result = check_return(Submission(receipt.source_name, receipt.kind, files))
        if not result.accepted:
            raise ValueError(f"archive entry {receipt.return_id} was accepted but no longer passes the checks")
        archive.add_typed_tables(archive_dir, receipt, result.tables)
    return dict(archive.read_typed_tables(archive_dir, receipt))
