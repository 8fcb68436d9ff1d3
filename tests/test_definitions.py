"""The Dagster code location loads anywhere, with the assets and checks we expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import RUN_KEY_TAG

from pipelines.settings import PROJECT_ROOT


def test_dagster_definitions_validate(dbt_manifest, tmp_path):
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, env={**os.environ, "DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ips_monitor" in result.stdout + result.stderr


def definitions() -> dg.Definitions:
    from pipelines.definitions import build_definitions
    from pipelines.settings import load_settings

    return build_definitions(load_settings())


def test_asset_graph_has_every_stage(dbt_manifest):
    defs = definitions()

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    expected = {
        "raw/returns", "raw/verksamhet", "raw/deltagare", "raw/diagnoser", "raw/aktiviteter", "raw/programtrohet",
        "code_lists", "municipalities", "counties", "indicators",
        "int_current_returns", "stg_returns__returns", "stg_returns__deltagare", "int_participant_periods",
        "fct_indicator", "fct_indicator_published", "published_snapshot", "site_level_snapshot", "sdmx_exports",
    }
    assert expected <= keys, expected - keys


def test_dbt_tests_are_asset_checks(dbt_manifest):
    defs = definitions()

    checks = {(key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys}
    assert ("int_current_returns", "unique_int_current_returns_return_id") in checks
    assert any(asset == "fct_indicator_published" for asset, _ in checks)


def test_dbt_sources_are_drawn_from_the_loading_asset(dbt_manifest):
    defs = definitions()

    graph = defs.resolve_asset_graph()
    parents = {key.to_user_string() for key in graph.get(dg.AssetKey("stg_returns__deltagare")).parent_keys}
    assert "raw/deltagare" in parents


def sensor_evaluation(settings) -> dg.SensorResult | dg.SkipReason:
    """The sensor evaluated against the data home's own Dagster instance, as the daemon would."""
    from pipelines.definitions import prepare_instance
    from pipelines.defs.resources import SettingsResource
    from pipelines.defs.sensors import returns_in_effect_changed

    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        context = dg.build_sensor_context(instance=instance, resources={"settings": SettingsResource.of(settings)})
        evaluation = returns_in_effect_changed(context)
    assert isinstance(evaluation, dg.SensorResult | dg.SkipReason)
    return evaluation


def run_as_the_daemon_would(settings, evaluation: dg.SensorResult) -> dg.ExecuteInProcessResult:
    """What the daemon does with the sensor's answer: add the partitions it asks for, then run its one request."""
    from pipelines.definitions import build_definitions, prepare_instance

    (request,) = evaluation.run_requests or []
    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        for partitions in evaluation.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(partitions.partitions_def_name, list(partitions.partition_keys))
        job = build_definitions(settings).resolve_job_def(str(request.job_name))
        result = job.execute_in_process(instance=instance, partition_key=request.partition_key,
                                        tags={**request.tags, RUN_KEY_TAG: str(request.run_key)})
    assert result.success
    return result


def run_keys_used(settings) -> set[str]:
    """The run keys of the runs in the data home's instance: Dagster starts no run for a key already used."""
    from pipelines.definitions import prepare_instance

    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        return {record.dagster_run.tags[RUN_KEY_TAG] for record in instance.get_run_records() if RUN_KEY_TAG in record.dagster_run.tags}


def loaded_partitions(result: dg.ExecuteInProcessResult) -> tuple[set[str], int, int]:
    """The reporting years the run loaded, how many site-years in them were stale and loaded, and how many returns it
    read from the archive for them."""
    events = [event for event in result.get_asset_materialization_events() if event.asset_key == dg.AssetKey(["raw", "returns"])]
    loaded = {(int(str(event.materialization.metadata["site_years"].value)), int(str(event.materialization.metadata["rows"].value)))
              for event in events}
    assert len(loaded) == 1
    return {str(event.partition) for event in events}, *loaded.pop()


def test_sensor_asks_for_a_run_when_the_returns_in_effect_differ_from_those_published(dbt_manifest, tmp_path):
    from pipelines.returns import archive
    from pipelines.returns.submit import submit
    from pipelines.settings import load_settings
    from tests.conftest import run_pipeline
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)
    submit(write(minimal_return(sex="Q"), tmp_path / "rejected"), settings)
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)  # only a rejected return
    submit(write(minimal_return(), tmp_path / "accepted"), settings, uploaded_by_site="IPS0009")
    first = sensor_evaluation(settings)
    assert isinstance(first, dg.SensorResult)
    (request,) = first.run_requests or []
    assert (request.job_name, request.partition_key, request.tags["ips/new_returns"]) == ("refresh_warehouse", "2025", "1")
    assert [list(r.partition_keys) for r in first.dynamic_partitions_requests or []] == [["2025"]]
    again = sensor_evaluation(settings)
    assert isinstance(again, dg.SensorResult) and again.run_requests[0].run_key == request.run_key  # Dagster runs it once

    run_pipeline(settings)  # as `ips-monitor run` would: the published figures now rest on that return
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)
    replacement = submit(write(minimal_return(education="hogskola"), tmp_path / "replacement"), settings,
                         uploaded_by_site="IPS0009").receipt
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)  # awaiting the site's confirmation
    archive.decide(settings.archive_dir, replacement.return_id, confirmed=True, by="samordnare")
    second = sensor_evaluation(settings)
    assert isinstance(second, dg.SensorResult)
    (request_2,) = second.run_requests or []
    assert request_2.run_key != request.run_key and not second.dynamic_partitions_requests  # the year is known
    assert (request_2.tags["ips/new_returns"], request_2.tags["ips/withdrawn_returns"]) == ("1", "1")


def test_a_return_stored_while_the_sensor_reads_the_archive_is_loaded_by_the_next_run(dbt_manifest, tmp_path, monkeypatch):
    """The sensor reads the archive twice: for the refresh the warehouse needs, then for the returns in effect. A return
    stored between the two gives a request for a run that does not load it (the warehouse was not yet stale when read);
    the next evaluation must ask for the refresh that does under a run key not yet used, or Dagster would take it for
    the run already made and the return would wait for ever."""
    from pipelines.defs import sensors
    from pipelines.publishing.snapshot import published_returns
    from pipelines.returns.submit import submit
    from pipelines.settings import load_settings
    from tests.conftest import run_pipeline
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "first"), settings)
    run_pipeline(settings)
    stored_meanwhile = []
    next_refresh = sensors.next_refresh

    def storing_a_return_meanwhile(*args):
        refresh = next_refresh(*args)
        stored_meanwhile.append(submit(write(minimal_return(education="hogskola"), tmp_path / "second"), settings).receipt.return_id)
        return refresh

    monkeypatch.setattr(sensors, "next_refresh", storing_a_return_meanwhile)
    raced = sensor_evaluation(settings)
    monkeypatch.undo()
    assert isinstance(raced, dg.SensorResult) and raced.run_requests[0].job_name == "build_warehouse"
    run_as_the_daemon_would(settings, raced)
    assert stored_meanwhile[0] not in published_returns(settings.published_returns_path)

    following = sensor_evaluation(settings)
    assert isinstance(following, dg.SensorResult)
    (request,) = following.run_requests or []
    assert request.job_name == "refresh_warehouse" and request.run_key not in run_keys_used(settings)
    run_as_the_daemon_would(settings, following)
    assert stored_meanwhile[0] in published_returns(settings.published_returns_path)
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)


def test_sensor_waits_while_a_run_is_under_way(dbt_manifest, tmp_path):
    from pipelines.definitions import prepare_instance
    from pipelines.defs.jobs import REFRESH_JOB
    from pipelines.returns.submit import submit
    from pipelines.settings import load_settings
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    submit(write(minimal_return(), tmp_path / "accepted"), settings, uploaded_by_site="IPS0009")
    with dg.DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        instance.add_run(dg.DagsterRun(job_name=REFRESH_JOB, run_id="a" * 32, status=dg.DagsterRunStatus.STARTED))
    assert isinstance(sensor_evaluation(settings), dg.SkipReason)


def warehouse_contents(warehouse_path: Path) -> dict[str, list[tuple]]:
    import duckdb

    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        tables = connection.execute("select table_schema, table_name from information_schema.tables "
                                    "where table_type = 'BASE TABLE' order by all").fetchall()
        return {f"{schema}.{name}": connection.execute(f'select * from "{schema}"."{name}" order by all').fetchall()
                for schema, name in tables}


def test_the_sensor_path_and_the_cli_path_give_the_same_warehouse(dbt_manifest, tmp_path):
    """Returns arriving one after another, each refreshed as the daemon would, against the same archive run once by
    `ips-monitor run`: every table of the warehouse is the same. The sensor's runs load only the site-years that changed."""
    import shutil

    from pipelines.returns import archive
    from pipelines.returns.submit import submit
    from pipelines.settings import load_settings
    from tests.conftest import run_pipeline
    from tests.returns import minimal_return, write
    from tests.small_dataset import write_small_dataset

    served = load_settings(tmp_path / "served")
    for path in write_small_dataset(tmp_path / "small"):
        submit(path, served)
    first = sensor_evaluation(served)
    assert isinstance(first, dg.SensorResult)
    assert loaded_partitions(run_as_the_daemon_would(served, first)) == ({"2025"}, 2, 2)  # one run

    submit(write(minimal_return(), tmp_path / "third"), served)  # a third site
    assert loaded_partitions(run_as_the_daemon_would(served, sensor_evaluation(served))) == ({"2025"}, 1, 1)  # its site-year alone
    replacement = submit(write(minimal_return(education="hogskola"), tmp_path / "replacement"), served,
                         uploaded_by_site="IPS0009").receipt
    archive.decide(served.archive_dir, replacement.return_id, confirmed=True, by="samordnare")
    # only the third site's year again: its first return (kept, superseded) and the confirmed one
    assert loaded_partitions(run_as_the_daemon_would(served, sensor_evaluation(served))) == ({"2025"}, 1, 2)
    assert isinstance(sensor_evaluation(served), dg.SkipReason)

    by_hand = load_settings(tmp_path / "by-hand")
    shutil.copytree(served.archive_dir, by_hand.archive_dir)
    run_pipeline(by_hand)

    served_tables, by_hand_tables = warehouse_contents(served.warehouse_path), warehouse_contents(by_hand.warehouse_path)
    assert served_tables.keys() == by_hand_tables.keys()
    assert {"raw.returns", "raw.deltagare", "main.fct_indicator"} <= served_tables.keys()
    assert len(served_tables["raw.returns"]) == 4 and len(served_tables["raw.deltagare"]) == 12 + 10 + 1 + 1
    different = [name for name in served_tables if served_tables[name] != by_hand_tables[name]]
    assert different == []
