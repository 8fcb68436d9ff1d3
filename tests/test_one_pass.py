"""A return is read and checked once, at submission; every run loads the typed tables archived with it."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import polars as pl

from pipelines.returns import accepted, archive, check
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from schemas.tables import TABLES
from tests.conftest import run_pipeline
from tests.returns import minimal_return, write


def entry_digest(entry) -> dict[str, str]:
    return {str(p.relative_to(entry)): hashlib.sha256(p.read_bytes()).hexdigest() for p in entry.rglob("*") if p.is_file()}


def test_accepted_return_keeps_its_typed_tables_and_a_rejected_one_none(tmp_path):
    settings = load_settings(tmp_path / "home")
    good = submit(write(minimal_return(), tmp_path / "good"), settings)
    bad = submit(write(minimal_return(sex="Q"), tmp_path / "bad"), settings)
    tables = dict(archive.read_typed_tables(settings.archive_dir, good.receipt))
    assert set(tables) == set(TABLES)
    participants = tables["deltagare"]
    assert participants.height == 1 and participants.schema["intake_date"] == pl.Date and participants.schema["birth_year"] == pl.Int64
    assert participants.row(0, named=True)["participant_id"] == "L1"
    assert not archive.has_typed_tables(settings.archive_dir, bad.receipt)


def test_a_run_checks_nothing_again(tmp_path, dbt_manifest, monkeypatch):
    settings = load_settings(tmp_path / "home")
    assert submit(write(minimal_return(), tmp_path / "return"), settings).verdict == "accepted"

    def checked_again(*_):
        raise AssertionError("a run must not check an archived return again")

    monkeypatch.setattr(check, "check_return", checked_again)
    run_pipeline(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        assert connection.execute("select participant_id, sex from raw.deltagare").fetchall() == [("L1", "K")]


def test_the_run_loads_what_was_archived_not_the_files(tmp_path, dbt_manifest):
    settings = load_settings(tmp_path / "home")
    receipt = submit(write(minimal_return(), tmp_path / "return"), settings).receipt
    # The typed table says M where the site's file says K: a run that re-read the file would load K.
    parquet = settings.archive_dir / receipt.return_id / "tables" / "deltagare.parquet"
    pl.read_parquet(parquet).with_columns(sex=pl.lit("M")).write_parquet(parquet)
    run_pipeline(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        assert connection.execute("select sex from raw.deltagare").fetchall() == [("M",)]


def test_an_entry_from_before_typed_tables_gets_them_once_and_keeps_its_files(tmp_path, dbt_manifest):
    settings = load_settings(tmp_path / "home")
    receipt = submit(write(minimal_return(), tmp_path / "return"), settings).receipt
    entry = settings.archive_dir / receipt.return_id
    shutil.rmtree(entry / "tables")  # as version 0.1 archived it
    before = entry_digest(entry)
    run_pipeline(settings)
    after = entry_digest(entry)
    assert {name: digest for name, digest in after.items() if not name.startswith("tables/")} == before
    assert sorted(name for name in after if name.startswith("tables/")) == sorted(f"tables/{t}.parquet" for t in TABLES)
    assert not [p for p in entry.iterdir() if p.name.startswith(".")]


def test_newest_accepted_return_is_current_and_a_later_rejected_one_changes_nothing(tmp_path):
    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "first"), settings)
    newest_accepted = submit(write(minimal_return(sex="M"), tmp_path / "second"), settings).receipt
    submit(write(minimal_return(sex="Q"), tmp_path / "rejected"), settings)
    receipts = accepted.accepted_receipts(settings.archive_dir)
    assert len(receipts) == 2
    assert accepted.current_return_ids(receipts) == {newest_accepted.return_id}
