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


# The two sites of tests/small_dataset.py named as a hostile site might name itself: as HTML and as Markdown. Every
# page and file must show the names as the words they are (tests/test_hostile_text.py); IPS0001's sorts first.
HOSTILE_NAMES = {"IPS0001": "**fet** _kursiv_ [länk](javascript:alert(1)) ![bild](http://127.0.0.1:9/x.png)",
                 "IPS0002": "<img src=x onerror=alert(1)>"}
HOSTILE_HOME_USERS = {  # user name -> role, site: those of tests/test_access_matrix.py, then of tests/test_hostile_text.py
    "ministeriet": ("viewer", None), "samordnare": ("site", "IPS0002"), "analytiker": ("analyst", None),
    "samordnare-1": ("site", "IPS0001"), "_analys_": ("analyst", None)}


@pytest.fixture(scope="session")
def hostile_sites_home(tmp_path_factory, dbt_manifest) -> Settings:
    """The two sites of tests/small_dataset.py under ``HOSTILE_NAMES``, registered as the command line registers them,
    run through the whole asset graph, with the users of ``HOSTILE_HOME_USERS`` (password: tests.test_dashboard.PASSWORD).
    Shared by the browser tests of roles and of hostile text; a test may add returns for 2024 (no figures of 2025 change)."""
    from pipelines.access.roles import Role
    from pipelines.access.users import add_user
    from pipelines.returns.accepted import typed_tables
    from pipelines.returns.sites import register_from_return
    from pipelines.returns.submit import submit
    from tests.returns import site_row, write
    from tests.small_dataset import SITE_A, SITE_B
    from tests.test_dashboard import PASSWORD

    settings = load_settings(tmp_path_factory.mktemp("hostile-sites-home"))
    returns = tmp_path_factory.mktemp("hostile-sites-returns")
    for site, municipality, fte in ((SITE_A, "0180", 2.0), (SITE_B, "0380", 1.5)):
        site_id = site["verksamhet"][0]["site_id"]
        path = write({**site, "verksamhet": [site_row(site_id, municipality, fte, site_name=HOSTILE_NAMES[site_id])]}, returns / site_id)
        receipt = submit(path, settings).receipt
        assert receipt is not None and receipt.verdict == "accepted"
        register_from_return(settings, typed_tables(settings.archive_dir, receipt)["verksamhet"].row(0, named=True))
    run_pipeline(settings)
    for username, (role, site_id) in HOSTILE_HOME_USERS.items():
        add_user(settings, username, Role(role), PASSWORD, site_id)
    return settings
