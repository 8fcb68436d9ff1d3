from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings, load_settings


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, prepared once per session (Dagster builds the dbt assets from it)."""
    subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR, check=True)
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def run_pipeline(settings: Settings) -> None:
    from pipelines.definitions import refresh_in_process

    result, log = refresh_in_process(settings)
    assert result.success, log.read_text(encoding="utf-8")[-5000:]


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory, dbt_manifest) -> Settings:
    """The hand-made data set of tests/small_dataset.py, submitted and run through the whole asset graph."""
    from pipelines.returns.submit import submit
    from tests.small_dataset import write_small_dataset

    settings = load_settings(tmp_path_factory.mktemp("small-home"))
    for path in write_small_dataset(tmp_path_factory.mktemp("small-returns")):
        outcome = submit(path, settings)
        assert outcome.verdict == "accepted", outcome.problems
    run_pipeline(settings)
    return settings


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, set up by the test command's install step (`make browser`): Playwright may not
    download browsers here."""
    path = "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: run `make browser` (apt-get install chromium), or `make test`, which does it")
    return path
