"""The Dagster code location: every asset, check and resource of the warehouse."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.exports.assets import published_snapshot, sdmx_exports
from pipelines.intake.assets import raw_returns
from pipelines.intake.sensors import new_accepted_returns
from pipelines.resources import DataHome
from pipelines.settings import DBT_EXECUTABLE, load_settings
from pipelines.warehouse.assets import warehouse_models
from pipelines.warehouse.project import dbt_project

ALL_ASSETS = [raw_returns, warehouse_models, published_snapshot, sdmx_exports]


def build_resources(home: str | None = None) -> dict[str, object]:
    return {
        "data_home": DataHome(path=str(load_settings(home).home)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    }


defs = dg.Definitions(assets=ALL_ASSETS, sensors=[new_accepted_returns], resources=build_resources())
