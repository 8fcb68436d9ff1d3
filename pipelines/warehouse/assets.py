"""The dbt models as Dagster assets; dbt tests become asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.resources import DataHome
from pipelines.settings import HOME_ENV
from pipelines.warehouse.project import dbt_project


class WarehouseTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "warehouse"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, data_home: DataHome):
    settings = data_home.settings()
    # profiles.yml finds the database through this variable; dbt runs as a subprocess that inherits it.
    os.environ[HOME_ENV] = str(settings.home)
    dbt_vars = {"suppression_threshold": settings.suppression_threshold}
    yield from dbt.cli(
        ["build", "--vars", json.dumps(dbt_vars)], context=context, target_path=settings.home / "dbt-target"
    ).stream()
