from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, HOME_ENV, Settings, load_settings


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> Path:
    """dbt's manifest, prepared once per session (Dagster builds the dbt assets from it)."""
    home = tmp_path_factory.mktemp("parse-home")
    subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR, check=True,
                   env={**os.environ, HOME_ENV: str(home)})
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def run_pipeline(settings: Settings) -> None:
    import dagster as dg

    from pipelines.definitions import ALL_ASSETS, build_resources

    result = dg.materialize(ALL_ASSETS, resources=build_resources(str(settings.home)))
    assert result.success


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory, dbt_manifest) -> Settings:
    """The hand-made data set of tests/small_dataset.py, submitted and run through the whole asset graph."""
    from pipelines.intake.submit import submit
    from tests.small_dataset import write_small_dataset

    settings = load_settings(tmp_path_factory.mktemp("small-home"))
    for path in write_small_dataset(tmp_path_factory.mktemp("small-returns")):
        outcome = submit(path, settings)
        assert outcome.verdict == "accepted", outcome.problems
    run_pipeline(settings)
    return settings


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed with apt-get when missing (Playwright may not download browsers here)."""
    path = "/usr/bin/chromium"
    if not Path(path).exists():
        if shutil.which("apt-get") is None:
            pytest.fail("Chromium is missing and apt-get is not available to install it")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return path
