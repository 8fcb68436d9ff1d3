"""Rates and means are rounded to one decimal half away from zero, exactly (indicators-v1)."""

from __future__ import annotations

import json
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

CASES = [  # numerator, denominator, scale
    (13, 20, 1),  # 0.65: a binary float would give 0.6 or 0.7 by luck; exactly, half away from zero is 0.7
    (1, 16, 100),  # 6.25 -> 6.3
    (1, 8, 100),  # 12.5 stays
    (1, 3, 100),  # 33.33... -> 33.3
    (2, 3, 100),  # 66.66... -> 66.7
    (9, 22, 100),  # 40.909... -> 40.9
    (191, 2, 1),  # 95.5 stays
    (0, 7, 100),  # 0.0
]


@pytest.fixture(scope="module")
def rounded(tmp_path_factory, dbt_manifest):
    columns = ", ".join(f"{{{{ round_ratio('{n}', '{d}', {s}) }}}} as c{i}" for i, (n, d, s) in enumerate(CASES))
    work = tmp_path_factory.mktemp("rounding")
    result = subprocess.run(
        [DBT_EXECUTABLE, "show", "--inline", f"select {columns}", "--output", "json", "--quiet", "--profiles-dir", ".",
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--vars", json.dumps(Settings(work).dbt_vars())],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=True,
    )
    row = json.loads(result.stdout)["show"][0]
    return [Decimal(str(row[f"c{i}"])) for i in range(len(CASES))]


def test_round_ratio_is_exact_half_away_from_zero(rounded):
    expected = [(Decimal(s) * Decimal(n) / Decimal(d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for n, d, s in CASES]
    assert rounded == expected
    assert rounded[0] == Decimal("0.7") and rounded[1] == Decimal("6.3")
