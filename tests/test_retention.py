"""Retention (issue 12): `ips-monitor retention --keep-years N` removes the participant-level data of the reporting years
past keeping from the archive, its caches, the reports and the warehouse, keeps what was published about those years
exactly, says what it will do and asks first, refuses when the published figures are not current, and can be finished
after a kill."""

from __future__ import annotations

import builtins
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import audit, retention
from pipelines.cli import main
from pipelines.returns import archive
from pipelines.returns.submit import submit
from pipelines.settings import Settings, load_settings
from seeds.demo_returns import generate_demo_returns
from tests.conftest import run_pipeline
from tests.returns import diagnosis, participant, site_row, write
from tests.test_rebuild import files_state

THIS_YEAR = dt.date.today().year
OLD, KEPT, NEWEST = THIS_YEAR - 4, THIS_YEAR - 3, THIS_YEAR - 2  # --keep-years 3 keeps the years from THIS_YEAR - 3
SITES = 4


def one_participant_return(site_id: str, year: int, **participant_overrides) -> dict[str, list[dict]]:
    return {"verksamhet": [site_row(site_id, "2184", 2.5, year=year)],
            "deltagare": [participant(site_id, "L1", f"{year}-02-01", year=year, **participant_overrides)],
            "diagnoser": [diagnosis(site_id, "L1", year=year)]}


@pytest.fixture(scope="module")
def built_home(tmp_path_factory, dbt_manifest) -> Settings:
    """Four sites' returns for three years and a rejected return of the oldest year (with its feedback report), run once."""
    settings = load_settings(tmp_path_factory.mktemp("retention") / "home")
    returns = tmp_path_factory.mktemp("returns")
    for path in generate_demo_returns(returns, site_count=SITES, years=(OLD, KEPT, NEWEST)):
        assert submit(path, settings).verdict == "accepted"
    rejected = one_participant_return("IPS0009", OLD, sex="okänt")  # not a code of the code list: archived as rejected
    outcome = submit(write(rejected, returns / "rejected"), settings)
    assert outcome.verdict == "rejected" and outcome.report_paths
    run_pipeline(settings)
    return settings


@pytest.fixture
def home(built_home, tmp_path) -> Settings:
    shutil.copytree(built_home.home, tmp_path / "home", symlinks=True)
    return load_settings(tmp_path / "home")


def home_state(settings: Settings) -> dict[str, tuple[str, int]]:
    """Every file and folder of the data home but the Dagster instance's own, which asking it about runs touches."""
    return {path: state for path, state in files_state(settings.home).items() if not path.startswith("dagster")}


def ips_monitor(settings: Settings, *args: str, answer: str | None = None, monkeypatch=None) -> int:
    if answer is not None:
        monkeypatch.setattr(builtins, "input", lambda prompt: answer)
    return main(["--home", str(settings.home), *args])


def published_rows(database: Path, year: int) -> dict[str, list[tuple]]:
    """Every published table's rows of ``year``, sorted."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [name for (name,) in connection.execute("select table_name from information_schema.columns "
                                                         "where table_schema = 'main' and column_name = 'reporting_year'").fetchall()]
        return {name: connection.execute(f"select * from main.{name} where reporting_year = ? order by all", [year]).fetchall()
                for name in sorted(tables)}


def years_in(database: Path, query: str) -> list[int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return sorted(year for (year,) in connection.execute(query).fetchall())


def entries_of(settings: Settings, year: int) -> list[Path]:
    return [settings.archive_dir / r.return_id for r in archive.read_receipts(settings.archive_dir) if retention.entry_year(r) == year]


def test_retention_removes_the_old_years_participant_data_and_keeps_what_was_published(home, monkeypatch, capsys):
    published_before = {year: published_rows(home.published_path, year) for year in (OLD, KEPT, NEWEST)}
    assert all(published_before[OLD].values()) and len(published_before[OLD]["dim_sites_published"]) == SITES
    kept_entries = {p.name: files_state(p) for year in (KEPT, NEWEST) for p in entries_of(home, year)}
    old_entries = entries_of(home, OLD)
    assert len(old_entries) == SITES + 1  # four accepted, one rejected
    sdmx_old = (home.exports_dir / f"ips_indicators_{OLD}_sdmx.csv").read_bytes()

    assert ips_monitor(home, "retention", "--keep-years", "3", answer="ja", monkeypatch=monkeypatch) == 0
    said = capsys.readouterr().out
    assert f"{OLD}: {SITES + 1}" in said  # what goes, per year, before asking
    assert f"från {KEPT}" in said and f"from {KEPT}" in said

    # the archive: the old year's entries keep their receipts and say they were removed; nothing else changed
    for entry in old_entries:
        assert sorted(p.name for p in entry.iterdir()) == [archive.RECEIPT, archive.REMOVED]
    receipts = {r.return_id: r for r in archive.read_receipts(home.archive_dir)}
    assert all(receipts[p.name].removed is not None and receipts[p.name].removed.first_kept_year == KEPT for p in old_entries)
    assert {name: files_state(home.archive_dir / name) for name in kept_entries} == kept_entries
    assert not [p for p in home.reports_dir.iterdir() if f"_{OLD}_" in p.name]  # the rejected return's report quoted its cells
    # the warehouse and each site's own figures: nothing of the old year
    assert years_in(home.warehouse_path, "select distinct reporting_year from raw.returns") == [KEPT, NEWEST]
    assert years_in(home.warehouse_path, "select count(*) from raw.deltagare where return_id in "
                                         f"({', '.join(repr(p.name) for p in old_entries)})") == [0]
    assert years_in(home.site_level_path, "select distinct reporting_year from fct_indicator_site") == [KEPT, NEWEST]
    # what was published about every year is published as it was, the exports too
    assert {year: published_rows(home.published_path, year) for year in (OLD, KEPT, NEWEST)} == published_before
    assert (home.exports_dir / f"ips_indicators_{OLD}_sdmx.csv").read_bytes() == sdmx_old
    # recorded in the audit log: begun, then done
    retained = audit.read(home, action=audit.Action.RETENTION).entries
    assert [(e.outcome, e.detail) for e in retained] == [("started", {"first_kept_year": KEPT, "count": SITES + 1}),
                                                         ("ok", {"first_kept_year": KEPT, "count": SITES + 1})]
    # and the archive checks out as it now is
    verification = archive.verify(home.archive_dir)
    assert verification.damage == [] and verification.entries == 3 * SITES + 1


def test_a_rebuild_after_retention_gives_the_same_published_figures(home, monkeypatch):
    assert ips_monitor(home, "retention", "--keep-years", "3", "--yes") == 0
    published = {year: published_rows(home.published_path, year) for year in (OLD, KEPT, NEWEST)}
    assert ips_monitor(home, "rebuild", "--yes") == 0
    assert {year: published_rows(home.published_path, year) for year in (OLD, KEPT, NEWEST)} == published
    assert (home.retained_dir / "fct_indicator_published.parquet").is_file()


def test_nothing_changes_unless_confirmed(home, monkeypatch, capsys):
    before = home_state(home)
    assert ips_monitor(home, "retention", "--keep-years", "3", answer="nej", monkeypatch=monkeypatch) == 1
    assert "Inget ändrat / nothing changed" in capsys.readouterr().out
    assert home_state(home) == before


@pytest.mark.parametrize("why", ["not run since a return came", "no published figures"])
def test_refused_when_the_published_figures_are_not_current(home, tmp_path, why, capsys):
    if why == "no published figures":
        home.published_path.unlink()
    else:
        late = one_participant_return("IPS0009", NEWEST)
        assert submit(write(late, tmp_path / "late"), home).verdict == "accepted"
    before = home_state(home)
    assert ips_monitor(home, "retention", "--keep-years", "3", "--yes") == 1
    assert "kör `ips-monitor run` först / " in capsys.readouterr().err
    assert home_state(home) == before


def test_keep_years_must_be_at_least_one(home, capsys):
    assert ips_monitor(home, "retention", "--keep-years", "0", "--yes") == 1
    assert "minst 1 / " in capsys.readouterr().err


def test_a_retention_stopped_halfway_is_finished_by_running_it_again(home, monkeypatch):
    published_before = published_rows(home.published_path, OLD)
    removals = []

    def killed_after_two(archive_dir, return_id, removal, original=archive.remove_participant_data):
        if len(removals) == 2:
            raise KeyboardInterrupt  # as if killed here: two entries removed, the rest not, no run since
        removals.append(return_id)
        original(archive_dir, return_id, removal)

    monkeypatch.setattr(archive, "remove_participant_data", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        ips_monitor(home, "retention", "--keep-years", "3", "--yes")
    monkeypatch.undo()
    assert retention.unfinished(home) == KEPT
    assert ips_monitor(home, "retention", "--keep-years", "2", "--yes") == 1  # another cut-off first is refused
    assert ips_monitor(home, "retention", "--keep-years", "3", "--yes") == 0
    assert retention.unfinished(home) is None
    assert all(not archive.holds_participant_data(home.archive_dir, r) for r in archive.read_receipts(home.archive_dir)
               if retention.entry_year(r) == OLD)
    assert published_rows(home.published_path, OLD) == published_before
