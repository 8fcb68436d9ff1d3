"""After each run: the published snapshot the dashboard reads, and the SDMX-CSV file per year."""

import os
import shutil

import dagster as dg
import duckdb

from pipelines.exports.observations import published_observations, write_sdmx_csv
from pipelines.exports.sdmx_structure import STRUCTURE_PATH
from pipelines.resources import DataHome

PUBLISHED_MART = dg.AssetKey(["fct_indicator_published"])
# What ministries, the public and every export may read: the protected marts and the labels.
PUBLISHED_TABLES = ("fct_indicator_published", "fct_fidelity_items", "fct_fidelity_bands", "fct_fidelity_employment_published",
                    "fct_income_sources_published", "fct_time_in_programme_published", "dim_sites_published",
                    "code_lists", "counties", "indicators")


@dg.asset(deps=[dg.AssetKey([name]) for name in PUBLISHED_TABLES], group_name="exports", kinds={"duckdb"})
def published_snapshot(data_home: DataHome) -> dg.MaterializeResult:
    """A database of the published tables only, swapped in whole: readers never meet a lock,
    half a run, or an unprotected figure."""
    settings = data_home.settings()
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.incoming")
    incoming.unlink(missing_ok=True)
    with duckdb.connect(str(incoming)) as connection:
        connection.execute("attach ? as pipeline_db (read_only)", [str(settings.warehouse_path)])
        for name in PUBLISHED_TABLES:
            connection.execute(f"create table main.{name} as select * from pipeline_db.main.{name}")
        connection.execute("detach pipeline_db")
    os.replace(incoming, target)
    return dg.MaterializeResult(metadata={"path": str(target), "tables": list(PUBLISHED_TABLES), "bytes": target.stat().st_size})


@dg.asset(deps=[PUBLISHED_MART], group_name="exports", kinds={"csv"})
def sdmx_exports(data_home: DataHome) -> dg.MaterializeResult:
    """SDMX-CSV 2.0 of the published indicators, one file per reporting year, beside the structure (DSD) to validate them."""
    settings = data_home.settings()
    observations = published_observations(settings.warehouse_path)
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STRUCTURE_PATH, settings.exports_dir / STRUCTURE_PATH.name)
    written = [STRUCTURE_PATH.name]
    for year in sorted(set(observations.get_column("reporting_year").to_list())):
        path = settings.exports_dir / f"ips_indicators_{year}_sdmx.csv"
        write_sdmx_csv(path, observations.filter(reporting_year=year))
        written.append(path.name)
    return dg.MaterializeResult(metadata={"files": written, "observations": observations.height})
