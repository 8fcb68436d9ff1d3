"""The one job: load the accepted returns, build the warehouse, publish. The CLI and the sensor both run it."""

import dagster as dg

REFRESH_JOB = "refresh_warehouse"

refresh_warehouse = dg.define_asset_job(
    REFRESH_JOB, selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # the steps run one after the other anyway; a process for each only costs seconds
    description="Accepted returns → dbt build (models and tests) → published snapshot → SDMX-CSV per year",
)
