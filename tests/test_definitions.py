"""The Dagster code location loads anywhere, with the assets and checks we expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

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


def test_sensor_asks_for_a_run_when_the_returns_in_effect_differ_from_those_published(dbt_manifest, tmp_path):
    from pipelines.defs.resources import SettingsResource
    from pipelines.defs.sensors import returns_in_effect_changed
    from pipelines.returns import archive
    from pipelines.returns.submit import submit
    from pipelines.settings import load_settings
    from tests.conftest import run_pipeline
    from tests.returns import minimal_return, write

    settings = load_settings(tmp_path / "home")
    context = dg.build_sensor_context(resources={"settings": SettingsResource.of(settings)})
    assert isinstance(returns_in_effect_changed(context), dg.SkipReason)
    submit(write(minimal_return(sex="Q"), tmp_path / "rejected"), settings)
    assert isinstance(returns_in_effect_changed(context), dg.SkipReason)  # only a rejected return
    submit(write(minimal_return(), tmp_path / "accepted"), settings, uploaded_by_site="IPS0009")
    first = returns_in_effect_changed(context)
    assert isinstance(first, dg.RunRequest) and first.tags["ips/new_returns"] == "1"
    assert returns_in_effect_changed(context).run_key == first.run_key  # the same state: Dagster runs it once

    run_pipeline(settings)  # as `ips-monitor run` would: the published figures now rest on that return
    assert isinstance(returns_in_effect_changed(context), dg.SkipReason)
    replacement = submit(write(minimal_return(education="hogskola"), tmp_path / "replacement"), settings,
                         uploaded_by_site="IPS0009").receipt
    assert isinstance(returns_in_effect_changed(context), dg.SkipReason)  # awaiting the site's confirmation
    archive.decide(settings.archive_dir, replacement.return_id, confirmed=True, by="samordnare")
    second = returns_in_effect_changed(context)
    assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key
    assert (second.tags["ips/new_returns"], second.tags["ips/withdrawn_returns"]) == ("1", "1")
