"""Performance targets, measured: run `make benchmark` (medians of several runs on this machine).

- intake: validating one return of about 5,000 participants, target under 2 s;
- pipeline: `ips-monitor run` (load, dbt build with tests, snapshot, exports) on the demo data.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.intake.reader import load_submission
from pipelines.intake.validate import check_return
from seeds.demo_returns import generate_demo_returns

CLI = str(Path(sys.executable).parent / "ips-monitor")


def median_seconds(action, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def bench_intake(work: Path, runs: int) -> None:
    # One site, one year, with an intake rate that gives about 5,000 participants enrolled in 2025.
    (path,) = generate_demo_returns(work / "large", site_count=1, years=(2025,), intakes_per_year=2200)
    result = check_return(load_submission(path))
    participants = result.tables["deltagare"].height
    assert result.accepted, result.errors[:5]
    median, times = median_seconds(lambda: check_return(load_submission(path)), runs)
    print(f"intake: validate one return of {participants} participants: median {median:.2f} s "
          f"over {runs} runs ({', '.join(f'{t:.2f}' for t in times)}); target < 2 s")


def bench_pipeline(work: Path, runs: int, scale: int) -> None:
    home = work / f"home-x{scale}"
    paths = generate_demo_returns(work / f"demo-x{scale}", site_count=40 * scale)
    started = time.perf_counter()
    subprocess.run([CLI, "--home", str(home), "submit", *map(str, paths)], check=True, capture_output=True)
    submit_seconds = time.perf_counter() - started
    median, times = median_seconds(
        lambda: subprocess.run([CLI, "--home", str(home), "run"], check=True, capture_output=True), runs)
    print(f"pipeline ×{scale} ({len(paths)} returns): submit all {submit_seconds:.1f} s; "
          f"`ips-monitor run` median {median:.1f} s over {runs} runs ({', '.join(f'{t:.1f}' for t in times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="*", default=[1], help="multiples of the demo data for the pipeline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        bench_intake(Path(work), args.runs)
        for scale in args.scales:
            bench_pipeline(Path(work), max(3, args.runs // 2), scale)


if __name__ == "__main__":
    main()
