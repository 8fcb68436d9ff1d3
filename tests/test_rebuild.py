"""The archive is the truth (issue 12): `ips-monitor rebuild` throws away the warehouse, the typed-table caches, the
snapshots, the exports and dbt's target and makes them again from the archive alone — identical marts, byte-identical
exports, the archive and everything kept untouched; `ips-monitor verify` reports damage and changes nothing; a rebuild
refuses a damaged archive, a run under way, an unconfirmed prompt and a path it should not remove."""

from __future__ import annotations

import builtins
import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import rebuild
from pipelines.access.roles import Role
from pipelines.access.users import add_user, generate_password
from pipelines.cli import main
from pipelines.returns import archive
from pipelines.returns.submit import submit
from pipelines.settings import SHIPPED_REFERENCE_DIR, Settings, load_settings
from seeds.demo_returns import Dialect
from tests.conftest import run_pipeline
from tests.returns import diagnosis, participant, site_row, write
from tests.small_dataset import SITE_B, write_small_dataset

EXPORTS = (("sdmx-csv", "ips.csv"), ("csv", "tidy.csv"), ("xlsx", "ips.xlsx"))
AUDIT_LOG = "audit.jsonl"  # a file of the data home rebuild knows nothing of: kept, as the audit log will be


@pytest.fixture(scope="module")
def built_home(tmp_path_factory, dbt_manifest) -> Settings:
    """The small data set in a home of this module's own, with its history (a rejected return; site B's return replaced
    by an upload that its site confirmed) and what a rebuild must keep (a user, the site register, a reference table
    loaded, a file it does not know), run once. Each test works on its own copy."""
    from pipelines.returns.sites import register_from_return

    returns = tmp_path_factory.mktemp("returns")
    settings = load_settings(tmp_path_factory.mktemp("rebuild") / "home")
    for path in write_small_dataset(returns):
        outcome = submit(path, settings)
        assert outcome.verdict == "accepted", outcome.problems
        assert outcome.receipt is not None
        register_from_return(settings, dict(archive.read_typed_tables(settings.archive_dir, outcome.receipt))["verksamhet"].row(0, named=True))
    rejected = write({"verksamhet": [site_row("IPS0005", "0180", 1.0)], "deltagare": [participant("IPS0005", "P1", "2025-01-01", sex="kvinna")],
                      "diagnoser": [diagnosis("IPS0005", "P1")]}, returns / "rejected")
    assert submit(rejected, settings).verdict == "rejected"
    site_b = {**SITE_B, "deltagare": [*SITE_B["deltagare"], participant("IPS0002", "B11", "2025-12-01")],
              "diagnoser": [*SITE_B["diagnoser"], diagnosis("IPS0002", "B11", "angest")]}
    replacement = submit(write(site_b, returns / "site_b_again", Dialect(container="xlsx")), settings, uploaded_by_site="IPS0002")
    assert replacement.awaits_confirmation and replacement.receipt is not None
    archive.decide(settings.archive_dir, replacement.receipt.return_id, confirmed=True, by="verksamheten")
    add_user(settings, "analytikern", Role.ANALYST, generate_password())
    settings.reference_dir.mkdir(parents=True)
    shutil.copyfile(SHIPPED_REFERENCE_DIR / "county_population.csv", settings.reference_dir / "county_population.csv")
    (settings.home / AUDIT_LOG).write_text('{"event": "sign_in"}\n', encoding="utf-8")
    run_pipeline(settings)
    return settings


@pytest.fixture
def home(built_home, tmp_path) -> Settings:
    """A copy of the built home (times kept), to change as a test likes."""
    shutil.copytree(built_home.home, tmp_path / "home", symlinks=True)
    return load_settings(tmp_path / "home")


def ips_monitor(settings: Settings, *args: str) -> int:
    return main(["--home", str(settings.home), *args])


def files_state(root: Path, folders: bool = True) -> dict[str, tuple[str, int]]:
    """Every file under ``root`` (symbolic links not followed): its SHA-256 and its modification time; and every folder's
    time, which changes when anything is added to it or removed."""
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder", p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if not p.is_symlink() and (p.is_file() or (folders and p.is_dir()))}


def home_state(settings: Settings) -> dict[str, tuple[str, int]]:
    """``files_state`` of the data home but the Dagster instance, whose database a rebuild opens (to see whether a run is
    under way) even when it refuses after, and the audit log, which records the attempt."""
    return {k: v for k, v in files_state(settings.home).items() if not k.startswith(("dagster", "audit"))}


def is_kept(relative: str) -> bool:
    """What a rebuild keeps as it is: the archive but its typed tables, the users, the register, the reference tables,
    the feedback reports, the logs there were, the Dagster instance's configuration and any file it does not know."""
    return ((relative.startswith(("archive/", "users.json", "sites.json", "reference/", "reports/", "logs/", AUDIT_LOG))
             and "/tables/" not in relative) or relative == "dagster/dagster.yaml")


def relations(database: Path) -> dict[str, tuple[list, list]]:
    """Every table and view of the database's main schema: its columns and all its rows, in order."""
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by table_name").fetchall()]
        return {name: (connection.execute(f'describe main."{name}"').fetchall(),
                       connection.execute(f'select * from main."{name}" order by all').fetchall()) for name in names}


def export_all(settings: Settings, folder: Path) -> dict[str, bytes]:
    for fmt, name in EXPORTS:
        assert ips_monitor(settings, "export", "--format", fmt, "--out", str(folder / name), "--year", "2025") == 0
    return {name: (folder / name).read_bytes() for _, name in EXPORTS}


def flip_a_byte(path: Path, offset: int = 100) -> None:
    content = bytearray(path.read_bytes())
    content[offset] ^= 0x01
    path.write_bytes(bytes(content))


def entry_holding(settings: Settings, source_name: str) -> archive.Receipt:
    return next(r for r in archive.read_receipts(settings.archive_dir) if r.source_name == source_name)


def test_rebuild_from_the_archive_alone_gives_the_same_marts_and_exports(home, tmp_path, capsys):
    marts = {path: relations(path) for path in (home.warehouse_path, home.published_path, home.site_level_path)}
    exports_before = export_all(home, tmp_path / "before")
    run_exports_before = files_state(home.exports_dir)
    typed_tables_before = {k: sha for k, (sha, _) in files_state(home.archive_dir).items() if "/tables/" in k}
    kept_before = {k: v for k, v in files_state(home.home, folders=False).items() if is_kept(k)}
    assert {k.split("/")[0] for k in kept_before} >= {"archive", "users.json", "sites.json", "reference", "logs", AUDIT_LOG, "dagster"}
    assert any(k.endswith("/decision.json") for k in kept_before)
    # Marks in what goes: each must be gone after, so each was thrown away, not merely refreshed. One cache is damaged.
    for database in (home.warehouse_path, home.published_path):
        with duckdb.connect(str(database)) as connection:
            connection.execute("create table main.left_from_before as select 1 as mark")
    (home.dbt_target_dir / "left_from_before.txt").write_text("mark", encoding="utf-8")
    damaged_cache = home.archive_dir / entry_holding(home, "site_a").return_id / "tables" / "deltagare.parquet"
    flip_a_byte(damaged_cache, offset=10)
    assert ips_monitor(home, "verify") == 1
    assert "tables/deltagare.parquet" in capsys.readouterr().out

    assert ips_monitor(home, "rebuild", "--yes") == 0
    out = capsys.readouterr().out
    for shown in ("warehouse.duckdb", "published/warehouse.duckdb", "published/returns.json", "site-level/warehouse.duckdb",
                  "exports/", "dbt-target/", "archive/<id>/tables/", "3 godkända rapporter"):
        assert shown in out, shown

    assert {path: relations(path) for path in marts} == marts  # the marks are gone, everything else is as it was
    assert export_all(home, tmp_path / "after") == exports_before
    assert {k: sha for k, (sha, _) in files_state(home.exports_dir).items()} == {k: sha for k, (sha, _) in run_exports_before.items()}
    assert {k: sha for k, (sha, _) in files_state(home.archive_dir).items() if "/tables/" in k} == typed_tables_before
    assert not (home.dbt_target_dir / "left_from_before.txt").exists()
    after = files_state(home.home)
    assert {k: after.get(k) for k in kept_before} == kept_before  # bytes and times
    assert ips_monitor(home, "verify") == 0


def test_verify_reports_a_flipped_byte_changes_nothing_and_rebuild_refuses(home, capsys):
    assert ips_monitor(home, "verify") == 0
    assert "4 poster i arkivet kontrollerade, inga skador / 4 archive entries checked, no damage" in capsys.readouterr().out
    # one bit of site A's participants: a birth year 1995 becomes 1994, a return that still passes every check
    site_a = entry_holding(home, "site_a")
    participants = home.archive_dir / site_a.return_id / "files" / "deltagare.csv"
    flip_a_byte(participants, offset=participants.read_bytes().index(b"1995") + 3)
    # a missing cache elsewhere: verify reports it and must not make it again (it changes nothing)
    missing_cache = home.archive_dir / entry_holding(home, "site_b.xlsx").return_id / "tables"
    shutil.rmtree(missing_cache)
    before = files_state(home.home)

    assert ips_monitor(home, "verify") == 1
    out = capsys.readouterr().out
    assert (f"{site_a.return_id}/files/deltagare.csv: innehållet stämmer inte med kvittots kontrollsumma (SHA-256) / "
            "the content does not match the receipt's checksum (SHA-256)") in out
    assert f"{missing_cache.parent.name}/tables/: de typade tabellerna saknas" in out
    assert "DAMAGE IN 2 OF 4 ENTRIES" in out and "restore the entries from a backup" in out
    assert files_state(home.home) == before

    assert ips_monitor(home, "rebuild", "--yes") == 1
    captured = capsys.readouterr()
    assert "REBUILD REFUSED, NOTHING CHANGED" in captured.err and "the archive's files are damaged" in captured.err
    assert f"{site_a.return_id}/files/deltagare.csv" in captured.out
    assert files_state(home.home) == before


def test_verify_finds_a_receipt_made_to_match_changed_files(home, capsys):
    """A file changed and its size and SHA-256 in the receipt changed to match: the return's checksum, computed again from
    the files as at submission, still tells."""
    site_a = entry_holding(home, "site_a")
    entry = home.archive_dir / site_a.return_id
    changed = entry / "files" / "deltagare.csv"
    flip_a_byte(changed)
    receipt = json.loads((entry / "receipt.json").read_text(encoding="utf-8"))
    for f in receipt["files"]:
        if f["name"] == "deltagare.csv":
            f["sha256"] = hashlib.sha256(changed.read_bytes()).hexdigest()
    (entry / "receipt.json").write_text(json.dumps(receipt, indent=2, ensure_ascii=False), encoding="utf-8")

    assert ips_monitor(home, "verify") == 1
    assert f"{site_a.return_id}/receipt.json: kontrollsumman stämmer inte med filernas / the checksum does not match the files'" in \
        capsys.readouterr().out


@pytest.mark.parametrize("damage, expected", [
    (lambda entry: (entry / "files" / "extra.csv").write_text("x"), "files/extra.csv: finns inte i kvittot / is not in the receipt"),
    (lambda entry: (entry / "files" / "verksamhet.csv").unlink(), "files/verksamhet.csv: saknas / missing"),
    (lambda entry: (entry / "receipt.json").write_text("{"), "receipt.json: inte ett kvitto"),
    (lambda entry: (entry / "decision.json").write_text('{"confirmed": "yes"}'), "decision.json: inte ett beslut"),
    (lambda entry: (entry / "decision.json").write_text(
        '{"confirmed": true, "decided_at": "2026-01-01T00:00:00+00:00", "decided_by": "x"}'),
     "decision.json: rapporten väntade inte på något beslut / the return awaited no decision"),
])
def test_verify_finds_each_kind_of_damage(home, capsys, damage, expected):
    entry = home.archive_dir / entry_holding(home, "site_a").return_id
    damage(entry)
    assert ips_monitor(home, "verify") == 1
    assert f"{entry.name}/{expected}" in capsys.readouterr().out


def test_verify_survives_a_cache_that_aborts_the_reader(home, monkeypatch, capsys):
    """A damaged Parquet file can make polars abort the process (seen with single flipped bits): verify reads the caches
    apart from itself and reports the file, then checks the rest."""
    aborting = archive._READ_PARQUET.replace("    try:\n", "    if 'deltagare' in line:\n        import os; os.abort()\n    try:\n")
    monkeypatch.setattr(archive, "_READ_PARQUET", aborting)
    verification = archive.verify(home.archive_dir)
    aborted = [d for d in verification.damage if "aborted" in d.problem_en]
    assert [d.path for d in aborted] == ["tables/deltagare.parquet"] * 3  # each accepted return's, the others read
    assert len(verification.damage) == 3 and verification.files_intact
    monkeypatch.undo()
    assert ips_monitor(home, "verify") == 0  # the real reader reads them all


def test_rebuild_asks_first_and_changes_nothing_unless_told_yes(home, monkeypatch, capsys):
    before = home_state(home)
    for answer in ("nej", "", EOFError()):
        def reply(prompt: str, answer: object = answer) -> str:
            if isinstance(answer, BaseException):
                raise answer
            return str(answer)

        monkeypatch.setattr(builtins, "input", reply)
        assert ips_monitor(home, "rebuild") == 1
        assert "Inget ändrat / nothing changed" in capsys.readouterr().out
    assert home_state(home) == before


def test_rebuild_refuses_while_a_run_is_under_way(home, capsys):
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        run = instance.add_run(dg.DagsterRun(job_name="refresh_warehouse", status=dg.DagsterRunStatus.STARTED))
    before = home_state(home)
    assert ips_monitor(home, "rebuild", "--yes") == 1
    assert f"a run is under way, wait until it has finished: {run.run_id}" in capsys.readouterr().err
    assert home_state(home) == before


def test_rebuild_refuses_to_remove_through_a_symbolic_link(home, tmp_path, capsys):
    """published/ moved out of the data home and linked back: its warehouse.duckdb resolves outside, so nothing goes."""
    outside = tmp_path / "elsewhere"
    shutil.move(home.published_path.parent, outside)
    home.published_path.parent.symlink_to(outside, target_is_directory=True)
    before = home_state(home) | {f"elsewhere/{k}": v for k, v in files_state(outside).items()}
    assert ips_monitor(home, "rebuild", "--yes") == 1
    err = capsys.readouterr().err
    assert f"{home.published_returns_path}: är eller ligger bakom en symbolisk länk / is or lies behind a symbolic link" in err
    assert home_state(home) | {f"elsewhere/{k}": v for k, v in files_state(outside).items()} == before


def test_rebuild_plan_names_only_what_the_archive_makes(home):
    plan = rebuild.plan_rebuild(home)
    relative = sorted(str(d.path.relative_to(home.home)) for d in plan.remove)
    accepted = [r.return_id for r in archive.read_receipts(home.archive_dir) if r.verdict == "accepted"]
    assert relative == sorted(["published/returns.json", "published/warehouse.duckdb", "site-level/warehouse.duckdb", "exports",
                               "warehouse.duckdb", "dbt-target", *(f"archive/{return_id}/tables" for return_id in accepted)])
    for kept in rebuild.kept_paths(home):
        with pytest.raises(rebuild.RebuildRefused):
            rebuild.check_removable(kept, home)
    for elsewhere in (home.home, home.home.parent / "other", home.archive_dir / accepted[0] / "files",
                      home.archive_dir / accepted[0] / "receipt.json"):
        with pytest.raises(rebuild.RebuildRefused):
            rebuild.check_removable(elsewhere, home)


def test_rebuild_checks_every_accepted_return_again_before_anything_goes(home, monkeypatch, capsys):
    """An accepted return that today's checks refuse: refused before its cache (or anything else) is thrown away."""
    from pipelines.returns.check import IntakeResult, check_return

    def refuses_site_a(submission):
        return IntakeResult() if submission.source == "site_a" else check_return(submission)  # no typed tables: not accepted

    monkeypatch.setattr(rebuild, "check_return", refuses_site_a)
    before = home_state(home)
    assert ips_monitor(home, "rebuild", "--yes") == 1
    assert f"accepted returns no longer pass the checks: {entry_holding(home, 'site_a').return_id}" in capsys.readouterr().err
    assert home_state(home) == before
