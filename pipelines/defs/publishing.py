"""After each run: the snapshots the dashboard reads, and the SDMX-CSV files made from the published one. A run that
publishes says so in the audit log, whoever started it (the daemon's sensor, `ips-monitor run`, the webserver)."""

import shutil
from collections.abc import Mapping

import dagster as dg

from pipelines import audit
from pipelines.defs.jobs import RANGE_END_TAG, RANGE_START_TAG
from pipelines.defs.resources import SettingsResource, dbt_project
from pipelines.publishing.published import published_observations
from pipelines.publishing.sdmx_csv import write_sdmx_csv_per_year
from pipelines.publishing.snapshot import published_relations, record_published_returns, site_level_relations, write_snapshot
from pipelines.settings import SDMX_STRUCTURE_PATH

PUBLISHED_RELATIONS = published_relations(dbt_project.manifest_path)
SITE_LEVEL_RELATIONS = site_level_relations(dbt_project.manifest_path)
PARTITION_TAG = "dagster/partition"  # the one partition of a run over one reporting year


@dg.asset(deps=[dg.AssetKey([name]) for name in PUBLISHED_RELATIONS], group_name="exports", kinds={"duckdb"})
def published_snapshot(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    """The tables dbt tags ``published``, copied into a database of their own and swapped in whole."""
    config = settings.get()
    write_snapshot(config.warehouse_path, config.published_path, PUBLISHED_RELATIONS)
    record_published_returns(config.warehouse_path, config.published_returns_path)
    audit.record(config, audit.Action.RUN, actor=audit.DAGSTER_ACTOR, outcome=audit.Outcome.PUBLISHED, subject=context.run_id,
                 detail={"job": context.job_name, "partitions": _years_loaded(context.run_tags)})
    return dg.MaterializeResult(metadata={"path": str(config.published_path), "tables": PUBLISHED_RELATIONS,
                                          "bytes": config.published_path.stat().st_size})


@dg.asset(deps=[dg.AssetKey([name]) for name in SITE_LEVEL_RELATIONS], group_name="exports", kinds={"duckdb"})
def site_level_snapshot(settings: SettingsResource) -> dg.MaterializeResult:
    """The tables dbt tags ``site_level`` (each site's own figures), for site and analyst readers only."""
    config = settings.get()
    write_snapshot(config.warehouse_path, config.site_level_path, SITE_LEVEL_RELATIONS, required_column="site_id")
    return dg.MaterializeResult(metadata={"path": str(config.site_level_path), "tables": SITE_LEVEL_RELATIONS,
                                          "bytes": config.site_level_path.stat().st_size})


@dg.asset(deps=[published_snapshot], group_name="exports", kinds={"csv"})
def sdmx_exports(settings: SettingsResource) -> dg.MaterializeResult:
    """SDMX-CSV 2.0 of the published indicators, one file per reporting year, beside the structure (DSD) to validate them."""
    config = settings.get()
    observations = published_observations(config.published_path)
    config.exports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SDMX_STRUCTURE_PATH, config.exports_dir / SDMX_STRUCTURE_PATH.name)
    written = write_sdmx_csv_per_year(config.exports_dir, observations)
    return dg.MaterializeResult(metadata={"files": [SDMX_STRUCTURE_PATH.name, *(p.name for p in written)],
                                          "observations": observations.height})


def _years_loaded(tags: Mapping[str, str]) -> str | None:
    """The reporting-year partitions the run loaded, as its tags say: one, a range ``first..last``, or None (a build only)."""
    if RANGE_START_TAG in tags:
        return f"{tags[RANGE_START_TAG]}..{tags.get(RANGE_END_TAG, '')}"
    return tags.get(PARTITION_TAG)
