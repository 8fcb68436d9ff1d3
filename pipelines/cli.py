"""ips-monitor: submit returns, run the warehouse, export the indicators, serve the dashboard."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pipelines.returns.verdict import Verdict
from pipelines.settings import DASHBOARD_APP, DASHBOARD_PORT, HOME_ENV, Settings, load_settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SHOWN_PROBLEMS = 25

VERDICT_TEXT = {
    Verdict.ACCEPTED: "GODKÄND / ACCEPTED",
    Verdict.REJECTED: "AVVISAD / REJECTED",
    Verdict.REFUSED: "AVVISAD, INGET SPARAT / REFUSED, NOTHING KEPT",
    Verdict.UNREADABLE: "KAN INTE LÄSAS, INGET SPARAT / UNREADABLE, NOTHING KEPT",
    Verdict.DUPLICATE: "REDAN MOTTAGEN, INGET ÄNDRAT / ALREADY RECEIVED, NOTHING CHANGED",
}


def _usage_error(message: str) -> int:
    print(f"ips-monitor: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_submit(settings: Settings, paths: list[Path], quiet: bool = False) -> int:
    from pipelines.returns.feedback import format_problem, format_summary
    from pipelines.returns.submit import submit

    missing = [p for p in paths if not p.exists()]
    if missing:
        return _usage_error("finns inte / does not exist: " + ", ".join(map(str, missing)))
    any_rejected = False
    for path in paths:
        outcome = submit(path, settings)
        any_rejected |= not outcome.ok
        site, year = outcome.site_and_year
        about = f" ({site} {year})" if site else ""
        print(f"{path}{about}: {VERDICT_TEXT[outcome.verdict]}")
        if outcome.verdict == Verdict.DUPLICATE and outcome.receipt:
            print(f"  samma innehåll som / same content as {outcome.receipt.return_id} ({outcome.receipt.verdict})")
        if quiet and outcome.ok:
            continue
        for problem in outcome.problems[:SHOWN_PROBLEMS]:
            print(format_problem(problem))
        if len(outcome.problems) > SHOWN_PROBLEMS:
            print(f"  … och {len(outcome.problems) - SHOWN_PROBLEMS} till / and {len(outcome.problems) - SHOWN_PROBLEMS} more")
        if outcome.problems:
            print("  Sammanfattning / summary:\n" + format_summary(outcome.problems))
        for report in outcome.report_paths:
            print(f"  rapport / report: {report}")
    return EXIT_REJECTED if any_rejected else EXIT_OK


def cmd_run(settings: Settings) -> int:
    from pipelines.definitions import refresh_in_process

    result = refresh_in_process(settings)
    if not result.success:
        print("Körningen misslyckades / the run failed; see the log above.", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Klar / done. Dashboard data: {settings.published_path}\nSDMX-CSV: {settings.exports_dir}")
    return EXIT_OK


def cmd_export(settings: Settings, fmt: str, out: Path, year: int | None) -> int:
    from pipelines.publishing.annual_report import write_annual_report
    from pipelines.publishing.published import published_observations
    from pipelines.publishing.sdmx_csv import write_sdmx_csv
    from pipelines.publishing.tidy import write_tidy_csv, write_tidy_xlsx

    if not settings.published_path.exists():
        return _usage_error(f"inga publicerade siffror i / no published figures in {settings.home}: kör / run `ips-monitor run` first")
    if fmt == "report" and year is None:
        return _usage_error("--format report behöver / needs --year")
    published = published_observations(settings.published_path, year)
    if published.is_empty():
        return _usage_error(f"inga observationer för år / no observations for year {year}")
    if fmt == "sdmx-csv":
        write_sdmx_csv(out, published)
    elif fmt == "csv":
        write_tidy_csv(out, published)
    elif fmt == "report" and year is not None:
        write_annual_report(settings.published_path, year, settings.suppression_threshold, out)
        print(f"{out}: årsrapportens tabeller för / annual report tables for {year}")
        return EXIT_OK
    else:
        write_tidy_xlsx(out, published, settings.suppression_threshold)
    print(f"{out}: {published.height} observationer / observations")
    return EXIT_OK


def cmd_serve(settings: Settings, port: int) -> int:
    env = {**os.environ, HOME_ENV: str(settings.home)}
    command = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP), "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    print(f"Dashboard: http://localhost:{port}  (Ctrl+C stoppar / stops)")
    return subprocess.call(command, env=env)


def cmd_demo(settings: Settings, port: int) -> int:
    from seeds.demo_returns import generate_demo_returns

    paths = generate_demo_returns(settings.demo_returns_dir)
    print(f"{len(paths)} demo returns in {settings.demo_returns_dir}")
    if cmd_submit(settings, paths, quiet=True) != EXIT_OK:
        print("Some demo returns were not accepted; continuing with those that were.", file=sys.stderr)
    if cmd_run(settings) != EXIT_OK:
        return EXIT_REJECTED
    return cmd_serve(settings, port)


def build_parser() -> argparse.ArgumentParser:
    home_help = f"the data home (default: ${HOME_ENV} or ./var)"
    parser = argparse.ArgumentParser(prog="ips-monitor", description=__doc__)
    parser.add_argument("--home", type=Path, help=home_help)
    # also accepted after the command; SUPPRESS keeps a value given before it
    home = argparse.ArgumentParser(add_help=False)
    home.add_argument("--home", type=Path, default=argparse.SUPPRESS, help=home_help)
    commands = parser.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", parents=[home], help="check and store returns (folder, .zip or .xlsx)")
    submit.add_argument("paths", nargs="+", type=Path)
    commands.add_parser("run", parents=[home], help="run the Dagster job that refreshes the warehouse, in process")
    export = commands.add_parser("export", parents=[home], help="write the published indicators")
    export.add_argument("--format", required=True, choices=["sdmx-csv", "csv", "xlsx", "report"])
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--year", type=int)
    for name, text in (("serve", "serve the dashboard"), ("demo", "generate demo returns, submit, run, serve")):
        command = commands.add_parser(name, parents=[home], help=text)
        command.add_argument("--port", type=int, default=DASHBOARD_PORT)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings(args.home)
    if args.command == "submit":
        return cmd_submit(settings, args.paths)
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "export":
        return cmd_export(settings, args.format, args.out, args.year)
    if args.command == "serve":
        return cmd_serve(settings, args.port)
    return cmd_demo(settings, args.port)


if __name__ == "__main__":
    sys.exit(main())
