"""ips-monitor: submit returns, run the warehouse, export the indicators and the site reports, serve the dashboard,
manage its users, the site register and the replaceable reference tables, show the audit log."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import subprocess
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pipelines import audit
from pipelines.access.roles import Reader, Role
from pipelines.fast_exit import exit_without_teardown
from pipelines.returns.verdict import Verdict
from pipelines.settings import DAGSTER_PORT, DASHBOARD_PORT, HOME_ENV, REPLACEABLE_TABLES, Settings, load_settings
from pipelines.spreadsheet import CSV_DIALECTS, DEFAULT_CSV_DIALECT

if TYPE_CHECKING:
    from pipelines.returns.sites import Site
    from pipelines.returns.submit import SubmitOutcome

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SHOWN_PROBLEMS = 25
YOUNG_OBJECTS_BEFORE_A_COLLECTION = 10_000  # a run's cycle collector; Python's default is 700 (cmd_run)

VERDICT_TEXT = {
    Verdict.ACCEPTED: "GODKÄND / ACCEPTED",
    Verdict.REJECTED: "AVVISAD / REJECTED",
    Verdict.REFUSED: "AVVISAD, INGET SPARAT / REFUSED, NOTHING KEPT",
    Verdict.UNREADABLE: "KAN INTE LÄSAS, INGET SPARAT / UNREADABLE, NOTHING KEPT",
    Verdict.DUPLICATE: "REDAN MOTTAGEN, INGET ÄNDRAT / ALREADY RECEIVED, NOTHING CHANGED",
    Verdict.WRONG_SITE: "GÄLLER EN ANNAN VERKSAMHET, INGET SPARAT / FOR ANOTHER SITE, NOTHING KEPT",
}


def _usage_error(message: str) -> int:
    print(f"ips-monitor: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_submit(settings: Settings, paths: list[Path], quiet: bool = False) -> int:
    from pipelines.returns.accepted import typed_tables
    from pipelines.returns.sites import list_sites, register_from_returns
    from pipelines.returns.submit import submit_all

    missing = [p for p in paths if not p.exists()]
    if missing:
        return _usage_error("finns inte / does not exist: " + ", ".join(map(str, missing)))
    any_rejected = False
    accepted = 0
    registered_sites = {s.site_id for s in list_sites(settings)}  # read once: the register is read whole each time
    for batch in submit_all(paths, settings):
        for outcome in batch:
            site, year = outcome.site_and_year
            audit.record_by(settings, None, audit.Action.UPLOAD, outcome=outcome.verdict, site_id=site, year=year,
                            subject=outcome.receipt.return_id if outcome.receipt is not None else None)
        # a return sent with the CLI from a site not in the register registers it (an upload is bound to its signed-in
        # site); a duplicate too: the first sending may have been killed between archiving and registering
        unregistered = [o.receipt for o in batch if o.ok and o.receipt is not None and o.receipt.verdict == Verdict.ACCEPTED
                        and o.receipt.site_id and o.receipt.site_id not in registered_sites]
        registered = {site.site_id: site for site in register_from_returns(
            settings, [typed_tables(settings.archive_dir, receipt)["verksamhet"].row(0, named=True) for receipt in unregistered])}
        registered_sites |= {str(receipt.site_id) for receipt in unregistered}
        for outcome in batch:
            _print_outcome(outcome, registered, quiet)
            any_rejected |= not outcome.ok
            accepted += outcome.ok
    if quiet:
        print(f"{len(paths)} rapporter inlämnade, {accepted} godkända / {len(paths)} returns submitted, {accepted} accepted")
    return EXIT_REJECTED if any_rejected else EXIT_OK


def _print_outcome(outcome: SubmitOutcome, registered: dict[str, Site], quiet: bool) -> None:
    """What the sender reads of one return; ``registered``: the sites registered from this batch's returns, each told once."""
    from pipelines.returns.feedback import format_problem, format_summary
    from pipelines.returns.identity_numbers import masked
    from pipelines.returns.sites import registered_from_return

    site, year = outcome.site_and_year
    registered_site = registered.pop(site, None) if site else None
    if quiet and outcome.ok:  # quiet: only what needs attention, and a count at the end
        return
    about = f" ({site} {year})" if site else ""
    print(f"{masked(str(outcome.source))}{about}: {VERDICT_TEXT[outcome.verdict]}")
    if registered_site is not None:
        print(f"  {registered_from_return(registered_site)}")
    if outcome.verdict == Verdict.DUPLICATE and outcome.receipt:
        print(f"  samma innehåll som / same content as {outcome.receipt.return_id} ({outcome.receipt.verdict})")
    for problem in outcome.problems[:SHOWN_PROBLEMS]:
        print(format_problem(problem))
    if len(outcome.problems) > SHOWN_PROBLEMS:
        print(f"  … och {len(outcome.problems) - SHOWN_PROBLEMS} till / and {len(outcome.problems) - SHOWN_PROBLEMS} more")
    if outcome.problems:
        print("  Sammanfattning / summary:\n" + format_summary(outcome.problems))
    for report in outcome.report_paths:
        print(f"  rapport / report: {report}")


def cmd_run(settings: Settings, own_process: bool = False) -> int:
    from pipelines.returns.accepted import accepted_receipts

    if not accepted_receipts(settings.archive_dir):  # else dbt fails on the raw tables that no return has made
        return _usage_error("inga godkända rapporter att bygga av ännu; lämna in en först: `ips-monitor submit MAPP` / "
                            "no accepted returns to build from yet; submit one first: `ips-monitor submit FOLDER`")
    from pipelines.definitions import refresh_in_process

    if own_process:
        # Dagster's, dbt's and Polars' modules, just imported, are not walked again by each full collection of the
        # cycle collector during the run (0.5 s of a run at scale 1); they live as long as the process anyway
        gc.freeze()
        # and the run's many short-lived objects (Dagster's events, dbt's nodes) are collected less often: at Python's
        # default (every 700 allocations) the collector took 0.75-1.0 s of a resubmission's run at scale 1, at this
        # 0.4-0.5 s (gc.callbacks, 4 runs each), with the same peak memory
        gc.set_threshold(YOUNG_OBJECTS_BEFORE_A_COLLECTION)

    print("Körning / run: läser in, bygger och publicerar / loading, building and publishing")
    audit.record_by(settings, None, audit.Action.RUN, outcome=audit.Outcome.STARTED)
    try:
        result, log = refresh_in_process(settings)
    except BaseException:
        audit.record_by(settings, None, audit.Action.RUN, outcome=audit.Outcome.FAILED)
        raise
    audit.record_by(settings, None, audit.Action.RUN, outcome=audit.Outcome.OK if result.success else audit.Outcome.FAILED,
                    subject=result.run_id)
    if not result.success:
        print(f"Körningen misslyckades / the run failed: se / see {log}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Klar / done. Dashboard data: {settings.published_path}; SDMX-CSV: {settings.exports_dir}; logg / log: {log}")
    return EXIT_OK


def cmd_export(settings: Settings, fmt: str, out: Path, year: int | None, dialect: str | None = None) -> int:
    from pipelines.publishing.annual_report import write_annual_report
    from pipelines.publishing.published import published_observations
    from pipelines.publishing.sdmx_csv import write_sdmx_csv
    from pipelines.publishing.tidy import write_tidy_csv, write_tidy_xlsx

    if not settings.published_path.exists():
        return _usage_error(f"inga publicerade siffror i / no published figures in {settings.home}: kör / run `ips-monitor run` first")
    if fmt == "report" and year is None:
        return _usage_error("--format report behöver / needs --year")
    if dialect is not None and fmt != "csv":  # SDMX-CSV is always the international standard: "," and "."
        return _usage_error("--dialect gäller bara / applies only to --format csv")
    published = published_observations(settings.published_path, year)
    if published.is_empty():
        return _usage_error(f"inga observationer för år / no observations for year {year}")
    if fmt == "sdmx-csv":
        write_sdmx_csv(out, published)
    elif fmt == "csv":
        write_tidy_csv(out, published, dialect or DEFAULT_CSV_DIALECT)
    elif fmt == "report" and year is not None:
        write_annual_report(settings.published_path, year, settings.suppression_threshold, out)
        _record_export(settings, out, fmt, year)
        print(f"{out}: årsrapportens tabeller för / annual report tables for {year}")
        return EXIT_OK
    else:
        write_tidy_xlsx(out, published, settings.suppression_threshold)
    _record_export(settings, out, fmt, year)
    print(f"{out}: {published.height} observationer / observations")
    return EXIT_OK


def _record_export(settings: Settings, out: Path, fmt: str, year: int | None, site_id: str | None = None) -> None:
    audit.record_by(settings, None, audit.Action.EXPORT, site_id=site_id, year=year, subject=out.name, detail={"format": fmt})


def cmd_serve(settings: Settings, port: int, dagster_port: int | None) -> int:
    """The dashboard, with the Dagster daemon beside it (new returns reach the dashboard with no command typed) and
    the Dagster webserver for the national function; Ctrl+C stops them all."""
    from pipelines.serving import serving

    with serving(settings, port, dagster_port) as dashboard:
        print(f"Dashboard: http://localhost:{port}  (Ctrl+C stoppar / stops)")
        if dagster_port is not None:
            print(f"Dagster (den nationella stödfunktionen / the national function): http://127.0.0.1:{dagster_port}", flush=True)
        return _until_stopped(dashboard)


def _until_stopped(dashboard: subprocess.Popen[bytes]) -> int:
    try:
        return dashboard.wait()
    except KeyboardInterrupt:
        return EXIT_OK


DEMO_USERS = {"ministeriet": Role.VIEWER, "verksamheten": Role.SITE, "analytikern": Role.ANALYST}


def _demo_users(settings: Settings) -> list[tuple[Reader, str]]:
    """One user of each role with a new password each time (the demo home only); the site user is the first site's."""
    from pipelines.access.users import add_user, find_user, generate_password, set_password
    from pipelines.returns.accepted import accepted_receipts

    first_site = min(r.site_id for r in accepted_receipts(settings.archive_dir) if r.site_id is not None)
    users = []
    for username, role in DEMO_USERS.items():
        password = generate_password()
        existing = find_user(settings, username)
        if existing is None:
            reader = add_user(settings, username, role, password, first_site if role == Role.SITE else None)
        else:
            set_password(settings, username, password)
            reader = existing.reader
        users.append((reader, password))
    return users


def cmd_demo(settings: Settings, port: int, dagster_port: int | None) -> int:
    from pipelines.serving import serving
    from seeds.demo_returns import generate_demo_returns

    paths = generate_demo_returns(settings.demo_returns_dir)
    print(f"{len(paths)} demo returns in {settings.demo_returns_dir}")
    if cmd_submit(settings, paths, quiet=True) != EXIT_OK:
        print("Some demo returns were not accepted; continuing with those that were.", file=sys.stderr)
    if cmd_run(settings) != EXIT_OK:
        return EXIT_REJECTED
    users = _demo_users(settings)
    with serving(settings, port, dagster_port) as dashboard:
        if dagster_port is not None:
            print(f"Dagster (den nationella stödfunktionen / the national function): http://127.0.0.1:{dagster_port}")
        print("\nDemoanvändare / demo users (lösenorden visas bara nu / passwords shown only now):")
        for reader, password in users:
            about = f", {reader.site_id}" if reader.site_id else ""
            print(f"  {reader.username:<13} {password}   ({reader.role}{about})")
        print(f"Dashboard: http://localhost:{port}  (Ctrl+C stoppar / stops)", flush=True)
        return _until_stopped(dashboard)


def cmd_template(fmt: str, out: Path) -> int:
    from pipelines.returns.template import write_template

    path = write_template(out, "xlsx" if fmt == "xlsx" else "csv")
    print(f"{path}: mall för årsrapporten, format v1 / return template, format v1")
    return EXIT_OK


def cmd_site_report(settings: Settings, site_id: str | None, year: int, out: Path) -> int:
    """One site's report as PDF, or (without a site) every site's of the year in one zip: the national function's."""
    from dashboards.site_report import all_site_reports_zip, site_report_pdf
    from pipelines.publishing.access import Snapshots

    snapshots = Snapshots.of(settings)
    if not snapshots.published.exists():
        return _usage_error("inga publicerade siffror ännu: kör `ips-monitor run` / no published figures yet: run `ips-monitor run`")
    national_function = Reader(audit.command_line_actor(), Role.ANALYST)
    try:
        content = (site_report_pdf(snapshots, national_function, site_id, year) if site_id
                   else all_site_reports_zip(snapshots, national_function, year))
    except LookupError:
        return _usage_error(f"{site_id} har ingen godkänd rapport för {year} / {site_id} has no accepted return for {year}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    _record_export(settings, out, "site-report", year, site_id)
    print(f"{out}: verksamhetsrapport / site report, {site_id or 'alla verksamheter / every site'}, {year}")
    return EXIT_OK


def cmd_users(settings: Settings, action: str, username: str, role: str, site_id: str | None, generate: bool) -> int:
    from pipelines.access import messages
    from pipelines.access.users import UserError, add_user, check_new_user, find_user, list_users, remove_user, set_password

    try:
        if action == "list":
            return _print_users(list_users(settings))
        if action == "remove":
            print(f"{remove_user(settings, username).username}: borttagen / removed")
            return EXIT_OK
        # check all but the password before asking for it
        if action == "add":
            check_new_user(settings, username, Role(role), site_id)
        elif find_user(settings, username) is None:
            raise UserError(messages.no_such_user(username))
        password = _new_password(generate)
        if action == "add":
            reader = add_user(settings, username, Role(role), password, site_id)
            print(f"{reader.username}: tillagd / added ({reader.role}{' ' + reader.site_id if reader.site_id else ''})")
        else:
            set_password(settings, username, password)
            print(f"{username}: nytt lösenord / new password set")
    except UserError as error:
        return _usage_error(str(error))
    if generate:
        print(f"{messages.PASSWORD_PROMPT}{password}\n{messages.PASSWORD_SHOWN_ONCE}")
    return EXIT_OK


def _new_password(generate: bool) -> str:
    """Generated, or asked for twice without echo; raises UserError if the two differ."""
    import getpass

    from pipelines.access import messages
    from pipelines.access.users import UserError, check_password, generate_password

    if generate:
        return generate_password()
    try:
        password = getpass.getpass(messages.PASSWORD_PROMPT)
        check_password(password)
        if getpass.getpass(messages.PASSWORD_AGAIN_PROMPT) != password:
            raise UserError(messages.PASSWORDS_DIFFER)
    except EOFError:
        raise UserError(messages.NO_PASSWORD_GIVEN) from None
    return password


def _print_users(readers: list[Reader]) -> int:
    from pipelines.access import messages

    if not readers:
        print(messages.NO_USERS)
        return EXIT_OK
    rows = [("användare / user", "roll / role", "verksamhet / site")] + [(r.username, str(r.role), r.site_id or "") for r in readers]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    for name, role, site in rows:
        print(f"{name:<{widths[0]}}  {role:<{widths[1]}}  {site}".rstrip())
    return EXIT_OK


def cmd_sites(settings: Settings, action: str, site_id: str, name: str | None, municipality_code: str | None, email: str | None,
              active_from: dt.date | None, on: dt.date | None) -> int:
    from typing import cast

    from pipelines.returns import sites

    try:
        if action == "list":
            registered = sites.list_sites(settings)
            rows = [("id", "namn / name", "kommun / municipality", "e-post / e-mail", "från / from", "till / to")]
            rows += [(s.site_id, s.name, s.municipality_code, s.email, str(s.active_from), str(s.active_to or "")) for s in registered]
            widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
            for row in rows if registered else []:
                print("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths)).rstrip())
            print(f"verksamheter i registret / sites in the register: {len(registered)}")
            return EXIT_OK
        if action == "add":
            site = sites.add_site(settings, site_id, name or "", municipality_code or "", email or "", active_from)
        elif action == "update":
            given = {"name": name, "municipality_code": municipality_code, "email": email, "active_from": active_from}
            site = sites.update_site(settings, site_id, **cast("sites.SiteChanges", {field: value for field, value in given.items() if value is not None}))
        else:
            site = sites.deactivate_site(settings, site_id, on)
    except sites.SiteError as error:
        return _usage_error(str(error))
    until = f", till / to {site.active_to}" if site.active_to else ""
    print(f"{site.site_id}: {site.name}, {site.municipality_code}, {site.email or '-'}, från / from {site.active_from}{until}")
    return EXIT_OK


def cmd_reference(settings: Settings, action: str, table: str, path: Path | None) -> int:
    """Load a replaceable reference table (checked whole: replaced, or nothing changed), or show the one in effect."""
    from pipelines import reference_tables as reference

    if action == "show":
        return _show_reference(settings, table)
    assert path is not None  # the load command requires it
    if not path.is_file():
        return _usage_error("finns inte / does not exist: " + str(path))
    loaded = reference.load_table(settings, table, path)
    name = loaded.table.name
    if not loaded.ok:
        print(f"{path} ({name}): AVVISAD, INGET ÄNDRAT / REFUSED, NOTHING CHANGED")
        for problem in loaded.problems[:SHOWN_PROBLEMS]:
            print(reference.format_problem(problem))
        if len(loaded.problems) > SHOWN_PROBLEMS:
            print(f"  … och {len(loaded.problems) - SHOWN_PROBLEMS} till / and {len(loaded.problems) - SHOWN_PROBLEMS} more")
        print(f"  tabellen som gäller är oförändrad / the table in effect is unchanged: {loaded.in_effect}")
        return EXIT_REJECTED
    if not loaded.changed:
        print(f"{path} ({name}): SAMMA SOM TABELLEN SOM GÄLLER, INGET ÄNDRAT / SAME AS THE TABLE IN EFFECT, NOTHING CHANGED")
        print(f"  tabellen som gäller / the table in effect: {loaded.in_effect}")
        return EXIT_OK
    year = loaded.table.columns.index("year")
    years = sorted({row[year] for row in loaded.rows or []})
    print(f"{path} ({name}): INLÄST / LOADED, {len(loaded.rows or [])} rader / rows, år / year {', '.join(years)}")
    print(f"  gäller från nästa körning / in effect from the next run: {loaded.in_effect}")
    if loaded.kept is not None:
        print(f"  den tidigare sparad som / the previous one kept as: {loaded.kept}")
    return EXIT_OK


def _show_reference(settings: Settings, table: str) -> int:
    from pipelines import reference_tables as reference
    from seeds.reference_data import counties

    path, shipped, checked = reference.table_in_effect(settings, table)
    if shipped:
        origin = "standardvärdena som följer med / the shipped default"
    else:
        loaded_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        origin = f"inläst / loaded {loaded_at:%Y-%m-%d %H:%M} UTC"
    print(f"{checked.table.name}: {path} ({origin})")
    if checked.problems:
        print("  FILEN ÄR INTE GILTIG / THE FILE IS NOT VALID")
        for problem in checked.problems[:SHOWN_PROBLEMS]:
            print(reference.format_problem(problem))
        return EXIT_REJECTED
    columns, rows = list(checked.table.columns), [list(row) for row in checked.rows]
    if checked.table.name == "county_population":  # the county's name beside its code, for the reader
        names = {county.county_code: county.name for county in counties()}
        columns.insert(1, "county_name")
        rows = [[row[0], names[row[0]], *row[1:]] for row in rows]
    widths = [max(len(line[column]) for line in [columns, *rows]) for column in range(len(columns) - 1)]
    for line in [columns, *rows]:
        print("  ".join([*(f"{cell:<{width}}" for cell, width in zip(line, widths)), line[-1]]).rstrip())
    print(f"{len(rows)} rader / rows")
    return EXIT_OK


def cmd_audit(settings: Settings, since: dt.date | None, until: dt.date | None, user: str | None, action: str | None,
              site_id: str | None, as_json: bool) -> int:
    """The audit log's entries that match, oldest first, as a table (or as stored, one JSON line each); the days are UTC's,
    both included. A damaged line (a write cut short) is reported, and the rest shown."""
    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), dt.UTC)

    found = audit.read(settings, since=midnight(since) if since else None, until=midnight(until + dt.timedelta(days=1)) if until else None,
                       actor=user, action=audit.Action(action) if action else None, site_id=site_id)
    for line in found.damaged_lines:
        print(f"varning: rad {line} i {settings.audit_log_path} är skadad (en skrivning som avbröts?) / "
              f"warning: line {line} of {settings.audit_log_path} is damaged (a write cut short?)", file=sys.stderr)
    if as_json:
        for entry in found.entries:
            print(entry.as_json())
        return EXIT_OK
    rows = [("tid / time (UTC)", "användare / user", "roll / role", "händelse / action", "verksamhet / site", "år / year",
             "vad / subject", "utfall / outcome", "detaljer / details")]
    rows += [(e.time[:19].replace("T", " "), e.actor, e.role or "", str(e.action), e.site_id or "", str(e.year or ""), e.subject or "",
              e.outcome, ", ".join(f"{key}={value}" for key, value in e.detail.items())) for e in found.entries]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows if found.entries else []:
        print("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths)).rstrip())
    print(f"{len(found.entries)} händelser / entries")
    return EXIT_OK


def cmd_verify(settings: Settings) -> int:
    """Every archive entry checked as stored, nothing changed: exit 0 when all is well, 1 when damage is found."""
    from pipelines.returns.archive import verify

    verification = verify(settings.archive_dir)
    _print_damage(verification.damage)
    if not verification.damage:
        print(f"{verification.entries} poster i arkivet kontrollerade, inga skador / {verification.entries} archive entries checked, no damage")
        return EXIT_OK
    damaged = len({d.return_id for d in verification.damage})
    print(f"SKADOR I {damaged} AV {verification.entries} POSTER / DAMAGE IN {damaged} OF {verification.entries} ENTRIES")
    if verification.files_intact:
        print("  bara i de typade tabellerna, en cache: `ips-monitor rebuild` gör om dem från filerna / "
              "only in the typed tables, a cache: `ips-monitor rebuild` makes them again from the files")
    else:
        print("  arkivets filer är skadade: återställ posterna från en säkerhetskopia / "
              "the archive's files are damaged: restore the entries from a backup")
    return EXIT_REJECTED


def _print_damage(damage: Sequence[object]) -> None:
    for found in damage:
        print(f"  {found}")


def _rebuild_refused(why: object) -> int:
    print(f"ÅTERUPPBYGGNAD VÄGRAD, INGET ÄNDRAT / REBUILD REFUSED, NOTHING CHANGED: {why}", file=sys.stderr)
    return EXIT_REJECTED


CONFIRMATIONS = ("ja", "j", "yes", "y")


def _confirmed() -> bool:
    """Ask before a change that cannot be undone; anything but a yes changes nothing."""
    try:
        answer = input("Fortsätta? Skriv ja / continue? Type yes: ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in CONFIRMATIONS:
        return True
    print("Inget ändrat / nothing changed")
    return False


def cmd_rebuild(settings: Settings, yes: bool) -> int:
    """Throw away the warehouse, the typed-table caches, the snapshots, the exports and dbt's target, and make them again
    from the archive alone by the normal run; refused (nothing changed) if the archive's files are damaged."""
    import time

    from pipelines import rebuild
    from pipelines.returns.archive import verify

    verification = verify(settings.archive_dir)
    if not verification.files_intact:
        _print_damage([d for d in verification.damage if not d.cache_only])
        return _rebuild_refused("arkivets filer är skadade / the archive's files are damaged (`ips-monitor verify`)")
    try:
        under_way = rebuild.runs_under_way(settings)
        if under_way:
            raise rebuild.RebuildRefused(f"en körning pågår, vänta tills den är klar / a run is under way, wait until it has finished: "
                                         f"{', '.join(under_way)}")
        plan = rebuild.plan_rebuild(settings)
    except rebuild.RebuildRefused as refused:
        return _rebuild_refused(refused)
    home = plan.settings.home
    print(f"Återuppbyggnad från arkivet / rebuild from the archive: {home}")
    print("Kastas och görs om / thrown away and made again:")
    for derived in plan.remove:
        if not derived.is_typed_tables:
            shown = f"{derived.path.relative_to(home)}{'/' if derived.path.is_dir() else ''}"
            print(f"  {shown:<32} {derived.what_sv} / {derived.what_en}")
    print(f"  {'archive/<id>/tables/':<32} de typade tabellerna för {len(plan.accepted)} godkända rapporter, gjorda igen ur deras filer / "
          f"the typed tables of {len(plan.accepted)} accepted returns, made again from their files")
    print(f"Behålls som de är / kept as they are: arkivets {verification.entries} poster (filer, kvitton, beslut) / the archive's "
          f"{verification.entries} entries (files, receipts, decisions), users.json, sites.json, reference/, reports/, logs/, "
          "dagster/ (körningar, partitioner / runs, partitions), och allt annat / and all else")
    for damage in verification.damage:  # only in the typed tables here, which are made again
        print(f"  görs om / made again: {damage}")
    if not yes and not _confirmed():
        return EXIT_REJECTED
    started = time.monotonic()
    audit.record_by(settings, None, audit.Action.REBUILD, outcome=audit.Outcome.STARTED, detail={"count": len(plan.accepted)})
    print(f"Kontrollerar {len(plan.accepted)} godkända rapporter igen / checking {len(plan.accepted)} accepted returns again")
    try:
        rebuild.rebuild(plan)
    except rebuild.RebuildRefused as refused:
        return _rebuild_refused(refused)
    if cmd_run(plan.settings) != EXIT_OK:
        return EXIT_REJECTED
    audit.record_by(settings, None, audit.Action.REBUILD, detail={"count": len(plan.accepted)})
    print(f"Återuppbyggt från arkivet på {time.monotonic() - started:.0f} s / rebuilt from the archive in {time.monotonic() - started:.0f} s")
    return EXIT_OK


def cmd_retention(settings: Settings, keep_years: int, yes: bool) -> int:
    """Remove the participant-level data of the reporting years past keeping, keep the figures published about them."""
    from pipelines import retention

    try:
        plan = retention.plan_retention(settings, keep_years)
    except retention.RetentionRefused as refused:
        print(f"Gallring vägrad, inget ändrat / retention refused, nothing changed: {refused}", file=sys.stderr)
        return EXIT_REJECTED
    kept = plan.first_kept_year
    print(f"Gallring / retention: {settings.home}; åren från {kept} behålls / the reporting years from {kept} are kept")
    if not plan.returns and not plan.reports and not plan.resumed:
        print("Inget att ta bort / nothing to remove")
        return EXIT_OK
    print("Tas bort / removed:")
    for year, count in plan.returns_per_year().items():
        print(f"  {year}: {count} rapporters filer och typade tabeller (kvittona behålls) / "
              f"{count} returns' files and typed tables (their receipts are kept)")
    print(f"  {len(plan.reports)} återkopplingsrapporter / feedback reports")
    print("  de årens rader i lagret och verksamheternas egna siffror, vid körningen som följer / "
          "those years' rows in the warehouse and each site's own figures, by the run that follows")
    if plan.resumed:
        print("Avslutar en gallring som avbröts; de publicerade siffrorna är redan sparade / "
              "finishing a retention that was stopped; the published figures are kept already")
    else:
        print("Behålls / kept: de publicerade siffrorna för de åren / the published figures of those years:")
        for table, rows in plan.retained_rows.items():
            print(f"  {table}: {rows} rader / rows")
    if not yes and not _confirmed():
        return EXIT_REJECTED
    retention.retain(plan, removed_by=audit.command_line_actor())
    audit.record_by(settings, None, audit.Action.RETENTION, outcome=audit.Outcome.STARTED,
                    detail={"first_kept_year": kept, "count": len(plan.returns)})
    if cmd_run(settings) != EXIT_OK:
        print("Kör `ips-monitor retention` igen när felet är rättat / run `ips-monitor retention` again once the fault is mended",
              file=sys.stderr)
        return EXIT_REJECTED
    retention.finished(settings)
    audit.record_by(settings, None, audit.Action.RETENTION, detail={"first_kept_year": kept, "count": len(plan.returns)})
    print(f"Gallrat: åren före {kept} har inga deltagaruppgifter kvar / retained: the years before {kept} hold no participant data")
    return EXIT_OK


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
    commands.add_parser("verify", parents=[home], help="check every archive entry against its checksums, changing nothing (exit 1: damage found)")
    rebuild = commands.add_parser("rebuild", parents=[home], help="throw away the warehouse, caches, snapshots and exports and make them "
                                                                 "again from the archive alone (refused if the archive is damaged)")
    rebuild.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    retention = commands.add_parser("retention", parents=[home], help="remove the participant-level data of the reporting years past "
                                    "keeping from the archive, reports and warehouse; keep what was published about them")
    retention.add_argument("--keep-years", type=int, required=True, metavar="N", help="keep the last N years (in 2026, N = 5 keeps 2021 on)")
    retention.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = commands.add_parser("export", parents=[home], help="write the published indicators")
    export.add_argument("--format", required=True, choices=["sdmx-csv", "csv", "xlsx", "report"])
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--year", type=int)
    export.add_argument("--dialect", choices=list(CSV_DIALECTS),
                        help=f"the tidy CSV's form (--format csv): excel-sv is ';' with decimal commas for Swedish Excel, "
                             f"international is ',' with decimal points (default: {DEFAULT_CSV_DIALECT})")
    for name, text in (("serve", "serve the dashboard, with the Dagster daemon and webserver beside it"),
                       ("demo", "generate demo returns, submit, run, serve")):
        command = commands.add_parser(name, parents=[home], help=text)
        command.add_argument("--port", type=int, default=DASHBOARD_PORT)
        command.add_argument("--dagster-port", type=int, default=DAGSTER_PORT, help="the Dagster webserver's port (on 127.0.0.1)")
        command.add_argument("--without-dagster", dest="dagster_port", action="store_const", const=None,
                             help="the dashboard alone: no daemon, so new returns wait for `ips-monitor run`")
    template = commands.add_parser("template", help="write an empty return template (XLSX with drop-downs and a data dictionary, or CSV)")
    template.add_argument("--format", required=True, choices=["xlsx", "csv"])
    template.add_argument("--out", required=True, type=Path)
    site_report = commands.add_parser("site-report", parents=[home], help="a site's report of a year as PDF (without --site: every site's, zipped)")
    site_report.add_argument("--site", dest="site_id", metavar="IPS0001")
    site_report.add_argument("--year", required=True, type=int)
    site_report.add_argument("--out", required=True, type=Path)
    users = commands.add_parser("users", parents=[home], help="add, list, remove the dashboard's users and set their passwords")
    users.set_defaults(username="", role="", site_id=None, generate_password=False)  # for the actions without them
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", parents=[home], help="add a user (asks for the password twice, or --generate-password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--site", dest="site_id", metavar="IPS0001", help="the site of a user with the role site (only then)")
    actions.add_parser("list", parents=[home], help="list the users: name, role, site")
    remove = actions.add_parser("remove", parents=[home], help="remove a user")
    remove.add_argument("username")
    set_password = actions.add_parser("set-password", parents=[home], help="give a user a new password")
    set_password.add_argument("username")
    for command in (add, set_password):
        command.add_argument("--generate-password", action="store_true", help="generate a password and print it once")
    sites = commands.add_parser("sites", parents=[home], help="the register of IPS sites: add, list, update, deactivate")
    sites.set_defaults(site_id="", name=None, municipality_code=None, email=None, active_from=None, on=None)
    site_actions = sites.add_subparsers(dest="action", required=True)
    add_site = site_actions.add_parser("add", parents=[home], help="register a site")
    update_site = site_actions.add_parser("update", parents=[home], help="change a registered site (the options given)")
    for command, required in ((add_site, True), (update_site, False)):
        command.add_argument("site_id", metavar="IPS0042")
        command.add_argument("--name", required=required)
        command.add_argument("--municipality", dest="municipality_code", metavar="2184", required=required, help="SCB's municipality code")
        command.add_argument("--email", required=required, help="the contact for reminders")
        command.add_argument("--active-from", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="the first day (default: today)")
    site_actions.add_parser("list", parents=[home], help="list the registered sites")
    deactivate = site_actions.add_parser("deactivate", parents=[home], help="the site runs no more after a day")
    deactivate.add_argument("site_id", metavar="IPS0042")
    deactivate.add_argument("--on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="its last day (default: today)")
    audit_log = commands.add_parser("audit", parents=[home], help="show the audit log: sign-ins, uploads, confirmations, runs, exports, "
                                                                 "user and site changes, the sites analysts opened")
    audit_log.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="from this day (UTC)")
    audit_log.add_argument("--until", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="up to and including this day (UTC)")
    audit_log.add_argument("--user", help="one user's entries (the command line's are cli:<os user>, runs' dagster)")
    audit_log.add_argument("--action", choices=[action.value for action in audit.Action])
    audit_log.add_argument("--site", dest="site_id", metavar="IPS0001")
    audit_log.add_argument("--json", action="store_true", help="the entries as stored: one JSON object a line")
    reference = commands.add_parser("reference", parents=[home], help="the reference tables replaced each year: load a new one, show the one in effect")
    reference.set_defaults(path=None)
    reference_actions = reference.add_subparsers(dest="action", required=True)
    load = reference_actions.add_parser("load", parents=[home], help="check a CSV file whole and make it the table of the next run, or change nothing")
    show = reference_actions.add_parser("show", parents=[home], help="print the table in effect and where it comes from")
    for command in (load, show):
        command.add_argument("table", choices=list(REPLACEABLE_TABLES))
    load.add_argument("path", metavar="FILE", type=Path, help="CSV: UTF-8 or Windows-1252, , or ; between the values")
    return parser


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """The command of `argv`; `own_process` when the process ends with it (``entry``), not a test's or a server's."""
    args = build_parser().parse_args(argv)
    settings = load_settings(args.home)
    if args.command == "submit":
        return cmd_submit(settings, args.paths)
    if args.command == "run":
        return cmd_run(settings, own_process)
    if args.command == "verify":
        return cmd_verify(settings)
    if args.command == "rebuild":
        return cmd_rebuild(settings, args.yes)
    if args.command == "retention":
        return cmd_retention(settings, args.keep_years, args.yes)
    if args.command == "export":
        return cmd_export(settings, args.format, args.out, args.year, args.dialect)
    if args.command == "serve":
        return cmd_serve(settings, args.port, args.dagster_port)
    if args.command == "template":
        return cmd_template(args.format, args.out)
    if args.command == "site-report":
        return cmd_site_report(settings, args.site_id, args.year, args.out)
    if args.command == "users":
        return cmd_users(settings, args.action, args.username, args.role, args.site_id, args.generate_password)
    if args.command == "sites":
        return cmd_sites(settings, args.action, args.site_id, args.name, args.municipality_code, args.email, args.active_from, args.on)
    if args.command == "reference":
        return cmd_reference(settings, args.action, args.table, args.path)
    if args.command == "audit":
        return cmd_audit(settings, args.since, args.until, args.user, args.action, args.site_id, args.json)
    return cmd_demo(settings, args.port, args.dagster_port)


def entry() -> NoReturn:
    """The `ips-monitor` command, in a process of its own."""
    try:
        code = main(own_process=True)
    except Exception:  # as Python's exit would: the traceback, and 1
        traceback.print_exc()
        code = 1
    exit_without_teardown(code)


if __name__ == "__main__":
    entry()
