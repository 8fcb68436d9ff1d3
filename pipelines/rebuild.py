"""Rebuild from the archive (``ips-monitor rebuild``): throw away everything made from the archive and make it again by
the normal run, from the archive alone.

What goes is named here path by path from the settings (never a pattern), and each path is checked before it goes: inside
the data home, behind no symbolic link, holding nothing that is kept. It is the warehouse, the published and site-level
snapshots with ``published/returns.json``, the SDMX exports the run writes, dbt's target folder, and each accepted return's
typed tables in the archive (a cache of its check at submission, made again here by the same check from its archived files).
Everything else stays as it is: every archived file, receipt and decision, the users, the site register, the reference
tables loaded, the published figures retention keeps (``retained/``), the audit log, the feedback reports, the logs, the
Dagster instance (its runs, and its reporting-year partitions: with the warehouse empty, the next refresh loads every site-year of
them) and whatever else the data home holds. A return whose participant-level data retention removed is not checked again.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.returns import archive
from pipelines.returns.check import check_return
from pipelines.returns.reader import Submission, SubmittedFile
from pipelines.returns.verdict import Verdict
from pipelines.settings import Settings


class RebuildRefused(Exception):
    """Nothing was changed; the message says why, in Swedish and English."""


@dataclass(frozen=True)
class Derived:
    """A path made from the archive, and what it is."""

    path: Path
    what_sv: str
    what_en: str

    @property
    def is_typed_tables(self) -> bool:
        return self.path.name == archive.TYPED_TABLES


@dataclass(frozen=True)
class RebuildPlan:
    settings: Settings  # the data home resolved
    remove: list[Derived]  # what is there of what the archive makes, in the order it goes
    accepted: list[archive.Receipt]  # every accepted return (in effect or not): its typed tables are made again


def derived_paths(settings: Settings, accepted: list[archive.Receipt]) -> list[Derived]:
    """Everything made from the archive, there or not: first what says what is published, the warehouse last but the caches."""
    def database(path: Path, what_sv: str, what_en: str, swapped_in: bool = True) -> list[Derived]:
        # DuckDB's write-ahead log beside the file, and the copy a snapshot is written to before it is swapped in (`snapshot`)
        incoming = path.with_name(f".{path.name}.incoming")
        paths = [path, path.with_name(f"{path.name}.wal")] + ([incoming, incoming.with_name(f"{incoming.name}.wal")] if swapped_in else [])
        return [Derived(p, what_sv, what_en) for p in paths]

    returns = settings.published_returns_path
    return [
        Derived(returns, "rapporterna som de publicerade siffrorna vilar på", "the returns the published figures rest on"),
        Derived(returns.with_name(f".{returns.name}.incoming"), "rapporterna som de publicerade siffrorna vilar på",
                "the returns the published figures rest on"),
        *database(settings.published_path, "publicerade siffror (det instrumentpanelen visar)", "published figures (what the dashboard shows)"),
        *database(settings.site_level_path, "verksamheternas egna siffror", "each site's own figures"),
        Derived(settings.exports_dir, "SDMX-CSV per år och strukturen", "SDMX-CSV per year and the structure"),
        *database(settings.warehouse_path, "lagret", "the warehouse", swapped_in=False),
        Derived(settings.dbt_target_dir, "dbt:s målkatalog", "dbt's target folder"),
        *(Derived(settings.archive_dir / r.return_id / archive.TYPED_TABLES, "typade tabeller (cache)", "typed tables (a cache)")
          for r in accepted),
    ]


def kept_paths(settings: Settings) -> list[Path]:
    """What a rebuild never removes nor removes anything in (the archive but its typed tables). Whatever else the data home
    holds is kept too: only what ``derived_paths`` names goes."""
    return [settings.archive_dir, settings.users_path, settings.sites_path, settings.sign_in_failures_path, settings.reference_dir,
            settings.reports_dir, settings.logs_dir, settings.dagster_home, settings.demo_returns_dir, settings.retained_dir,
            settings.audit_log_path.parent]


def plan_rebuild(settings: Settings) -> RebuildPlan:
    """What a rebuild removes, each path checked; nothing is changed. Refused with no accepted return to rebuild from."""
    settings = dataclasses.replace(settings, home=settings.home.resolve())
    accepted = [r for r in archive.read_receipts(settings.archive_dir) if r.verdict == Verdict.ACCEPTED and r.removed is None]
    if not any(r.accepted_and_final for r in accepted):
        raise RebuildRefused("inga godkända rapporter i arkivet att bygga av / no accepted returns in the archive to rebuild from")
    remove = [d for d in derived_paths(settings, accepted) if d.path.exists() or d.path.is_symlink()]
    for derived in remove:
        check_removable(derived.path, settings)
    return RebuildPlan(settings, remove, accepted)


def check_removable(path: Path, settings: Settings) -> None:
    """Refuse a path that is not plainly inside the data home (``settings.home`` resolved) or holds or lies in what is kept."""
    def refuse(why_sv: str, why_en: str) -> None:
        raise RebuildRefused(f"{path}: {why_sv} / {why_en}")

    home = settings.home
    if path.resolve() != path:
        refuse("är eller ligger bakom en symbolisk länk", "is or lies behind a symbolic link")
    if path == home or not path.is_relative_to(home):
        refuse("ligger inte i datahemmet", "does not lie in the data home")
    is_typed_tables = (path.name == archive.TYPED_TABLES and path.parent.parent == settings.archive_dir
                       and not path.parent.name.startswith("."))
    for kept in kept_paths(settings):
        if kept.is_relative_to(path):
            refuse(f"rymmer {kept}, som behålls", f"holds {kept}, which is kept")
        if path.is_relative_to(kept) and not (kept == settings.archive_dir and is_typed_tables):
            refuse(f"ligger i {kept}, som behålls", f"lies in {kept}, which is kept")


def check_again(plan: RebuildPlan) -> dict[str, dict[str, pl.DataFrame]]:
    """Each accepted return's typed tables made again from its archived files by the same check as at submission
    (``check_return``); refused, with nothing changed, if one no longer passes it or says another site or year."""
    archive_dir = plan.settings.archive_dir
    tables, failing = {}, []
    for receipt in plan.accepted:
        folder = archive.files_dir(archive_dir, receipt)
        files = tuple(SubmittedFile(str(f["name"]), (folder / str(f["name"])).read_bytes()) for f in receipt.files)
        result = check_return(Submission(receipt.source_name, receipt.kind, files))
        if result.accepted and result.site_and_year == (receipt.site_id, receipt.reporting_year):
            tables[receipt.return_id] = result.tables
        else:
            failing.append(receipt.return_id)
    if failing:
        raise RebuildRefused("godkända rapporter klarar inte längre kontrollerna / accepted returns no longer pass the checks: "
                             + ", ".join(failing))
    return tables


def rebuild(plan: RebuildPlan) -> None:
    """Check every accepted return again (refused before anything goes if one fails), throw away what ``plan`` names, and
    write each accepted return's typed tables anew. The normal run (``refresh_in_process``) makes the rest."""
    tables = check_again(plan)
    for derived in plan.remove:
        check_removable(derived.path, plan.settings)  # again, just before it goes
        if derived.path.is_dir():
            shutil.rmtree(derived.path)
        else:
            derived.path.unlink(missing_ok=True)
    for receipt in plan.accepted:
        archive.add_typed_tables(plan.settings.archive_dir, receipt, tables[receipt.return_id])


def runs_under_way(settings: Settings) -> list[str]:
    """The ids of the runs under way in the data home's Dagster instance (the daemon's, or another command's), as the
    sensor counts them: a rebuild must not throw away the warehouse a run is writing."""
    if not (settings.dagster_home / "dagster.yaml").is_file():
        return []
    import dagster as dg

    from pipelines.defs.jobs import IN_FLIGHT, fail_abandoned_runs

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        fail_abandoned_runs(instance)  # a run whose process was killed is under way no more
        return [record.dagster_run.run_id for record in instance.get_run_records(dg.RunsFilter(statuses=IN_FLIGHT))]
