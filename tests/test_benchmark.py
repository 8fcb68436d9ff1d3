"""The benchmark at scale 0.1, once: every measure there, every figure a number, and the floor computing the figures the
pipeline publishes (the script stops if not). Nothing is asserted about time."""

from __future__ import annotations

import re
import subprocess
import sys

from pipelines.settings import PROJECT_ROOT

MEASURES = [
    "`submit`, 30 returns", "`submit`, peak memory", "intake of one large return", "`run` from an empty warehouse", "`run`: start-up",
    "`run`: loading", "`run`: dbt build", "`run`: snapshots", "`run`: exports", "`run`, peak memory", "`run` again, nothing changed",
    *(f"page *{page}*" for page in ("Översikt", "Regioner", "Deltagare", "Programtrohet", "Samhällsekonomi", "Min verksamhet",
                                    "Verksamheter", "Datakvalitet", "Definitioner")),
    "the floor", "`dbt build` ÷ floor", "`run` ÷ floor", "one site's resubmission",
]


def test_the_benchmark_measures_everything_and_its_floor_computes_the_published_figures(tmp_path, dbt_manifest):
    out = tmp_path / "table.md"
    completed = subprocess.run([sys.executable, "scripts/benchmark.py", "--scale", "0.1", "--runs", "1", "--work", str(tmp_path / "work"),
                                "--out", str(out)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "the floor's national figures are the published ones" in completed.stdout
    rows = [line.split(" | ") for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| ") and "---" not in line][1:]
    measures = [cells[0].removeprefix("| ") for cells in rows]
    for expected in MEASURES:
        assert sum(measure.startswith(expected) for measure in measures) == 1, expected
    for measure, value in ((cells[0], cells[1]) for cells in rows):
        number = re.match(r"[0-9,.]+", value)
        assert number is not None, (measure, value)
        assert float(number.group().replace(",", "")) > 0 or measure.startswith(("| page *Definitioner*", "| `run`: exports")), (measure, value)
