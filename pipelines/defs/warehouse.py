"""The dbt project as Dagster assets; dbt's data tests become asset checks."""

import json
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from pipelines.defs.dbt_build import dbt_build
from pipelines.defs.resources import SettingsResource, dbt_project
from pipelines.warehouse_lock import wait_for_the_warehouse


class WarehouseTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "warehouse"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_models(context: dg.AssetExecutionContext, settings: SettingsResource) -> Iterator[Any]:
    config = settings.get()
    wait_for_the_warehouse(config.warehouse_path, say=context.log.info)  # the first step of a run that loads nothing
    # dbt's unit tests check the SQL, not the data: they run in the test suite, not in every build
    command = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(config.dbt_vars())]
    yield from dbt_build(context, command, config.dbt_target_dir)
