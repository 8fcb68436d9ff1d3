"""After each run: the published snapshot the dashboard reads, and the SDMX-CSV file per year."""

import os
import shutil

import dagster as dg
import duckdb

from pipelines.exports.observations import published_observations, write_sdmx_csv
from pipelines.resources import DataHome

PUBLISHED_MART = dg.AssetKey(["fct_indicator_published"])


@dg.asset(deps=[PUBLISHED_MART], group_name="exports", kinds={"duckdb"})
def published_snapshot(data_home: DataHome) -> dg.MaterializeResult:
    """A copy of the warehouse swapped in whole, so readers never meet a lock or half a run."""
    settings = data_home.settings()
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("checkpoint")
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.incoming")
    shutil.copyfile(settings.warehouse_path, incoming)
    os.replace(incoming, target)
    return dg.MaterializeResult(metadata={"path": str(target), "bytes": target.stat().st_size})


@dg.asset(deps=[PUBLISHED_MART], group_name="exports", kinds={"csv"})
def sdmx_exports(data_home: DataHome) -> dg.MaterializeResult:
    """SDMX-CSV 2.0 of the published indicators, one file per reporting year."""
    settings = data_home.settings()
    observations = published_observations(settings.warehouse_path)
    written = []
    for year in sorted(set(observations.get_column("reporting_year").to_list())):
        path = settings.exports_dir / f"ips_indicators_{year}_sdmx.csv"
        write_sdmx_csv(path, observations.filter(reporting_year=year))
        written.append(path.name)
    return dg.MaterializeResult(metadata={"files": written, "observations": observations.height})
