"""The dbt tests that guard disclosure control fail when the rule is broken, and pass when it holds."""

from __future__ import annotations

import json
import shutil
import subprocess

import duckdb
import pytest

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

GUARDS = ["assert_no_suppressed_value_recoverable", "assert_small_counts_never_published", "assert_suppressed_cells_are_empty"]


def run_guards(home, tmp_path):
    return subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", *GUARDS, "--profiles-dir", ".",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"), "--vars", json.dumps(Settings(home).dbt_vars())],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )


@pytest.mark.parametrize(
    ("tampering", "failing_guard"),
    [
        # publish Stockholm's 6, which was withheld only because Uppsala's 3 = 9 - 6
        ("set conf_status = 'F', obs_status = 'A', obs_value = 6 where indicator_code = 'EMP_COMP' and ref_area = 'SE-AB' "
         "and time_period = '2025'", "assert_no_suppressed_value_recoverable"),
        # publish Uppsala's 3 itself
        ("set conf_status = 'F', obs_status = 'A', obs_value = 3 where indicator_code = 'EMP_COMP' and ref_area = 'SE-C' "
         "and time_period = '2025'", "assert_small_counts_never_published"),
        # mark a cell suppressed but leave its value in
        ("set obs_value = 9 where indicator_code = 'PARTICIPANTS' and sex = 'M' and time_period = '2025'",
         "assert_suppressed_cells_are_empty"),
    ],
)
def test_guard_fails_when_disclosure_control_is_broken(small_warehouse, tmp_path, tampering, failing_guard):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(small_warehouse.warehouse_path, home / "warehouse.duckdb")
    intact = run_guards(home, tmp_path)
    assert intact.returncode == 0, intact.stdout

    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute(f"update main.fct_indicator_published {tampering}")
    broken = run_guards(home, tmp_path)
    assert broken.returncode != 0
    assert f"Failure in test {failing_guard} " in broken.stdout, broken.stdout
