"""dbt's unit tests (age groups, tenure bands, fidelity bands, the primary-diagnosis hierarchy) pass.

They check SQL logic on hand-written rows (dbt_project/models/intermediate/_intermediate__unit_tests.yml),
so the pipeline's own builds leave them out; dbt reads the input columns' types from a built warehouse.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

UNIT_TESTS = [
    "int_participant_periods::age_groups_split_at_30_40_50_and_60",
    "int_participant_periods::tenure_bands_count_full_months_to_exit_or_year_end",
    "int_fidelity_latest::fidelity_bands_split_at_74_100_and_115",
    "int_participants::primary_diagnosis_is_the_first_group_in_the_code_list_order",
]


def test_dbt_unit_tests_pass(small_warehouse, tmp_path):
    home = Settings(tmp_path / "home")
    home.home.mkdir()
    shutil.copyfile(small_warehouse.warehouse_path, home.warehouse_path)
    result = subprocess.run(
        [DBT_EXECUTABLE, "--no-use-colors", "test", "--select", "test_type:unit", "--profiles-dir", ".", "--vars", json.dumps(home.dbt_vars()),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    passed = [line.split(" PASS ")[1].split(" ")[0] for line in result.stdout.splitlines() if " PASS " in line]
    assert sorted(passed) == sorted(UNIT_TESTS), result.stdout[-3000:]
