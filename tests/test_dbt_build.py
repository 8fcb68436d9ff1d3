"""dbt run in the run's own process (pipelines/defs/dbt_build.py): Dagster records each dbt node as dbt reports it, a
failing data test fails the build and is named, a subset asked for is all that is built, and the warehouse is let go
of when dbt ends, however it ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.events import DagsterEventType

from pipelines.definitions import build_definitions, prepare_instance, refresh_in_process
from pipelines.defs.jobs import BUILD_JOB
from pipelines.settings import Settings
from tests.test_crashes import copy_home


def dbt_nodes(manifest_path: Path, resource_types: set[str], attached_to: str | None = None) -> set[str]:
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"].values()
    return {node["name"] for node in nodes if node["resource_type"] in resource_types
            and (attached_to is None or node.get("attached_node", "").endswith(f".{attached_to}"))}


def recorded(settings: Settings, run_id: str | None = None) -> tuple[set[str], dict[str, bool], list[str]]:
    """Of a run (the newest, if none is named): the dbt assets materialized, each asset check's verdict, and the
    failure messages of its steps."""
    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        run_id = run_id or instance.get_run_records(limit=1)[0].dagster_run.run_id
        events = [entry.get_dagster_event() for entry in instance.all_logs(run_id) if entry.is_dagster_event]
    materialized = {event.asset_key.path[-1] for event in events
                    if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.step_key == "warehouse_models" and event.asset_key}
    checks = {event.asset_check_evaluation_data.check_name: event.asset_check_evaluation_data.passed for event in events
              if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION}
    failures = [event.step_failure_data.error.message for event in events
                if event.event_type == DagsterEventType.STEP_FAILURE and event.step_failure_data.error]
    return materialized, checks, failures


def another_process_writes(warehouse: Path) -> None:
    code = "import duckdb, sys\nduckdb.connect(sys.argv[1]).execute('create or replace table main.written_elsewhere (x int)')"
    subprocess.run([sys.executable, "-c", code, str(warehouse)], check=True, capture_output=True, timeout=60)


def test_a_run_records_every_model_seed_and_data_test_as_dbt_reports_it(small_warehouse, dbt_manifest):
    materialized, checks, failures = recorded(small_warehouse)
    assert materialized == dbt_nodes(dbt_manifest, {"model", "seed"})  # 42
    assert checks == dict.fromkeys(dbt_nodes(dbt_manifest, {"test"}), True)  # 86, each passed
    assert failures == []


def test_a_failing_data_test_fails_the_build_is_named_and_dbt_lets_go_of_the_warehouse(small_warehouse, dbt_manifest, tmp_path):
    settings = copy_home(small_warehouse, tmp_path / "home")
    with duckdb.connect(str(settings.warehouse_path)) as warehouse:  # behind the pipeline's back: a participant twice
        warehouse.execute("insert into raw.deltagare select * from raw.deltagare limit 1")
    result, _ = refresh_in_process(settings)

    assert not result.success
    materialized, checks, failures = recorded(settings, result.run_id)
    failed_test = "unique_combination_stg_returns__deltagare_return_id__participant_id"
    assert [name for name, passed in checks.items() if not passed] == [failed_test]
    (failure,) = failures
    assert "dbt build misslyckades / failed" in failure and failed_test in failure
    # dbt skips what the participants feed, and builds the rest
    assert "int_participants" not in materialized and {"stg_returns__deltagare", "county_population"} <= materialized
    another_process_writes(settings.warehouse_path)  # at once, while this process lives on


def test_a_subset_asked_for_is_all_that_is_built(small_warehouse, dbt_manifest, tmp_path):
    settings = copy_home(small_warehouse, tmp_path / "home")
    job = build_definitions(settings).resolve_job_def(BUILD_JOB)
    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        result = job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("int_participants")])
    assert result.success
    materialized, checks, _ = recorded(settings, result.run_id)
    assert materialized == {"int_participants"}
    assert checks == dict.fromkeys(dbt_nodes(dbt_manifest, {"test"}, attached_to="int_participants"), True)  # its 5 tests
    another_process_writes(settings.warehouse_path)
