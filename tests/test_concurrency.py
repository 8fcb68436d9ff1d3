"""Many at once: two submissions of the same site and year at the same moment end with one winner, both archived and
nothing corrupt; and the served dashboard keeps answering its readers while a run swaps the snapshots in.

Submissions race in real processes (spawned, so nothing of this process is shared) that wait at a barrier and then
submit together. In the children the step between finding the return in effect and storing is widened by a sleep, so
that without the archive's lock (``archive.locked``) the two would overlap every time; the lock, not the sleep, is
what keeps them apart.

Readers: the read path (``access.query``) in threads while snapshots are swapped in over and over; and 20 readers of
the served dashboard, each a Streamlit session of its own driven over Streamlit's protocol (``tests/dashboard_readers``),
visiting pages while ``ips-monitor run`` refreshes the figures under them. Their latencies are printed and written to
``test-output/dashboard-readers.json``.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.access.roles import Reader, Role
from pipelines.access.users import add_user
from pipelines.publishing.access import Snapshots, query
from pipelines.publishing.snapshot import write_snapshot
from pipelines.returns import archive
from pipelines.returns.reader import SubmittedFile
from pipelines.returns.submit import submit
from pipelines.settings import PROJECT_ROOT, load_settings
from tests.dashboard_readers import OVERVIEW, SITE_PAGES, Login, Visit, read_while
from tests.returns import diagnosis, minimal_return, participant, write
from tests.small_dataset import SITE_B
from tests.test_dashboard import serving

CLI = str(Path(sys.executable).parent / "ips-monitor")

SITE_AND_YEAR = ("IPS0009", 2025)  # minimal_return's
# How long each child waits between finding the return in effect and storing its own: far longer than the two
# children's start can differ by once both are past the barrier.
WIDENED_SECONDS = 0.5


def corrected(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The same return with one more participant: another return of the same site and year."""
    tables = copy.deepcopy(tables)
    tables["deltagare"].append(participant("IPS0009", "L2", "2025-06-01"))
    tables["diagnoser"].append(diagnosis("IPS0009", "L2", "angest"))
    return tables


def _submit_in_rounds(barrier, results, rounds: list[tuple[str, str]], uploaded_by_site: str | None) -> None:
    """A child: for each (data home, return), wait for the other child at the barrier, then submit; report
    (round, verdict, return id of its receipt)."""
    from pipelines.returns.submit import submit

    store = archive.store

    def store_later(*args, **kwargs):
        time.sleep(WIDENED_SECONDS)  # after the return in effect was found, before this one is stored
        return store(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "store", store_later)
        for round_number, (home, path) in enumerate(rounds):
            barrier.wait(timeout=120)
            outcome = submit(Path(path), load_settings(home), uploaded_by_site=uploaded_by_site)
            results.put((round_number, str(outcome.verdict), outcome.receipt.return_id if outcome.receipt else None))


def race(homes: list[Path], first: Path, second: Path, uploaded_by: tuple[str | None, str | None]) -> list[list[tuple[str, str | None]]]:
    """Two processes submit ``first`` and ``second`` at the same moment into each of ``homes`` in turn, with
    ``uploaded_by_site`` of each; per home, their two (verdict, return id)."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=_submit_in_rounds, args=(barrier, results, [(str(h), str(path)) for h in homes], site))
                for path, site in ((first, uploaded_by[0]), (second, uploaded_by[1]))]
    for child in children:
        child.start()
    outcomes: list[list[tuple[str, str | None]]] = [[] for _ in homes]
    try:
        for _ in range(2 * len(homes)):
            round_number, verdict, return_id = results.get(timeout=120)
            outcomes[round_number].append((verdict, return_id))
    finally:
        for child in children:
            child.join(timeout=60)
    assert [child.exitcode for child in children] == [0, 0]
    return outcomes


def archived(home: Path) -> list[archive.Receipt]:
    """Every entry of the archive, oldest first, after checking each is whole: its files as its receipt lists them
    (size and SHA-256), an accepted one's typed tables readable, and no entry left half-written."""
    archive_dir = load_settings(home).archive_dir
    receipts = archive.read_receipts(archive_dir)
    for receipt in receipts:
        stored = {path.name: SubmittedFile(path.name, path.read_bytes()) for path in archive.files_dir(archive_dir, receipt).iterdir()}
        assert {name: (f.sha256, len(f.content)) for name, f in stored.items()} == {
            f["name"]: (f["sha256"], f["bytes"]) for f in receipt.files}, receipt.return_id
        assert receipt.verdict != "accepted" or dict(archive.read_typed_tables(archive_dir, receipt))["deltagare"].height > 0
    assert not list(archive_dir.glob(f"{archive.STAGING_PREFIX}*"))
    return receipts


def test_two_uploads_of_the_same_site_and_year_at_once_end_with_one_winner(tmp_path):
    one, other = write(minimal_return(), tmp_path / "one"), write(corrected(minimal_return()), tmp_path / "other")
    homes = [tmp_path / f"home-{n}" for n in range(3)]
    for home, outcomes in zip(homes, race(homes, one, other, ("IPS0009", "IPS0009"))):
        assert [verdict for verdict, _ in outcomes] == ["accepted", "accepted"], outcomes
        earlier, later = archived(home)  # both, whole
        assert {earlier.return_id, later.return_id} == {return_id for _, return_id in outcomes}
        # the first stored was in effect when the other was decided: the other supersedes it, once the site confirms
        assert earlier.supersedes is None and not earlier.awaits_confirmation
        assert later.supersedes == earlier.return_id and later.awaits_confirmation and later.decision is None
        assert archive.current_returns([earlier, later]) == {SITE_AND_YEAR: earlier}


def test_the_same_return_sent_twice_at_once_is_stored_once(tmp_path):
    one = write(minimal_return(), tmp_path / "one")
    homes = [tmp_path / f"home-{n}" for n in range(2)]
    # one from the CLI (the national function), one uploaded by the site itself
    for home, outcomes in zip(homes, race(homes, one, one, (None, "IPS0009"))):
        assert sorted(verdict for verdict, _ in outcomes) == ["accepted", "duplicate"], outcomes
        (stored,) = archived(home)
        assert {return_id for _, return_id in outcomes} == {stored.return_id}  # the duplicate names the one stored
        assert stored.supersedes is None and archive.current_returns([stored]) == {SITE_AND_YEAR: stored}


def test_two_submissions_from_the_cli_at_once_end_with_the_later_in_effect(tmp_path):
    one, other = write(minimal_return(), tmp_path / "one"), write(corrected(minimal_return()), tmp_path / "other")
    homes = [tmp_path / f"home-{n}" for n in range(2)]
    for home, outcomes in zip(homes, race(homes, one, other, (None, None))):
        assert [verdict for verdict, _ in outcomes] == ["accepted", "accepted"], outcomes
        earlier, later = archived(home)
        assert earlier.supersedes is None and later.supersedes == earlier.return_id
        assert not later.awaits_confirmation  # the national function's submission needs no site's confirmation
        assert archive.current_returns([earlier, later]) == {SITE_AND_YEAR: later}


# --- The dashboard's readers while a run swaps the snapshots in ---------------------------------------------------

READERS = 20
RUN_AND_READ_SECONDS = 150  # the bound on the readers: the run under their load takes about a minute and a half here
PAUSE_SECONDS = 0.0  # each reader asks for its next page as soon as the last one is drawn: the hardest case
PASSWORD = "ett-langt-losenord-for-test"


def test_queries_while_snapshots_are_swapped_never_fail_nor_mix(tmp_path):
    """The read path itself (``access.query``, as every page reads) in many threads while snapshots are written and
    swapped in as a run does, one after another for a few seconds: each answer is whole, from one snapshot or the other."""
    warehouses = []
    for scale in (1, 2):
        warehouses.append(tmp_path / f"warehouse-{scale}.duckdb")
        with duckdb.connect(str(warehouses[-1])) as connection:
            connection.execute(f"create table fct_indicator_published as select 2025 as reporting_year, {scale} * i as obs_value from range(1000) t(i)")
            connection.execute(f"create table fct_site as select 'IPS000' || (i % 3) as site_id, {scale} as obs_value from range(3000) t(i)")
    snapshots = Snapshots(tmp_path / "published" / "warehouse.duckdb", tmp_path / "site-level" / "warehouse.duckdb", tmp_path / "archive")

    def publish(warehouse: Path) -> None:
        write_snapshot(warehouse, snapshots.published, ["fct_indicator_published"])
        write_snapshot(warehouse, snapshots.site_level, ["fct_site"], required_column="site_id")

    publish(warehouses[0])
    totals = {sum(scale * i for i in range(1000)) for scale in (1, 2)}
    site_sums = {"site": {1000, 2000}, "analyst": {3000, 6000}}  # over the site's own rows (IPS0001), or over all of them
    stop = time.monotonic() + 6
    swaps, answers, failures = [0], [0], []

    def swapping() -> None:
        while time.monotonic() < stop:
            swaps[0] += 1
            publish(warehouses[swaps[0] % 2])

    def reading(reader: Reader) -> None:
        while time.monotonic() < stop:
            try:
                total = query(snapshots, reader, "select sum(obs_value) as total from main.fct_indicator_published").item()
                if total not in totals:
                    failures.append(f"a mixed answer: {total}")
                if reader.role != Role.VIEWER:
                    site_sum = query(snapshots, reader, "select sum(obs_value) as total from main.fct_site").item()
                    if site_sum not in site_sums[reader.role]:
                        failures.append(f"{reader.role}: {site_sum}")
                answers[0] += 1
            except Exception as error:  # every failure is what this test counts
                failures.append(f"{reader.role}: {type(error).__name__}: {error}")

    readers = [Reader("lasare", Role.VIEWER), Reader("samordnare", Role.SITE, "IPS0001"), Reader("analytiker", Role.ANALYST)] * 2
    threads = [threading.Thread(target=swapping), *(threading.Thread(target=reading, args=(reader,)) for reader in readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [], failures[:5]
    assert swaps[0] >= 5 and answers[0] >= 50, (swaps, answers)


def test_no_python_function_runs_on_polars_thread_pool_in_the_dashboard():
    """Each reader's page runs in a thread of the one dashboard process. A Python function handed to polars
    (``map_elements`` and the like) runs on polars' thread pool and needs the GIL there, while polars holds the GIL in
    another reader's thread waiting for that pool (``DataFrame.to_pandas``, which every chart calls): the process
    deadlocks for good, every reader with it (polars 2.1; pola-rs/polars#26821 is the same with ``to_numpy``). Format
    in Python over ``Series.to_list()`` instead."""
    handed_to_polars = re.compile(r"\.map_(elements|batches|rows|groups)\(")
    found = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
             for folder in ("dashboards", "pipelines/publishing", "pipelines/access")
             for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if handed_to_polars.search(line)]
    assert found == []


def corrected_site_b() -> dict[str, list[dict]]:
    """Site B's return with one participant more: 23 participants in Sweden in 2025 instead of 22."""
    tables = copy.deepcopy(SITE_B)
    tables["deltagare"].append(participant("IPS0002", "B11", "2025-12-01"))
    tables["diagnoser"].append(diagnosis("IPS0002", "B11", "angest"))
    return tables


def participants_shown(visit: Visit) -> str | None:
    return dict(visit.metrics).get("Antal deltagare") if visit.page == OVERVIEW else None


def test_twenty_readers_keep_reading_while_a_run_swaps_the_snapshots(small_warehouse, tmp_path):
    """20 readers at once (15 signed in as a viewer, 5 as a site), each visiting its pages in turn through the served
    dashboard, while `ips-monitor run` refreshes the warehouse after a corrected return came in: not one error, and
    the figures change under them from the old to the new."""
    home = tmp_path / "home"
    shutil.copytree(small_warehouse.home, home)  # the session's warehouse, run once already, left as it is
    settings = load_settings(home)
    add_user(settings, "lasare", Role.VIEWER, PASSWORD)
    add_user(settings, "samordnare-a", Role.SITE, PASSWORD, "IPS0001")
    add_user(settings, "samordnare-b", Role.SITE, PASSWORD, "IPS0002")
    corrected = submit(write(corrected_site_b(), tmp_path / "b-corrected"), settings)
    assert corrected.verdict == "accepted" and corrected.receipt is not None and corrected.receipt.supersedes is not None
    logins = [Login("samordnare-a" if n % 8 == 0 else "samordnare-b", PASSWORD, SITE_PAGES) if n % 4 == 0 else Login("lasare", PASSWORD)
              for n in range(READERS)]

    runs: list[subprocess.Popen[bytes]] = []
    run_log = (tmp_path / "run.log").open("wb")

    def start_the_run() -> None:  # once every reader has signed in
        runs.append(subprocess.Popen([CLI, "--home", str(home), "run"], stdout=run_log, stderr=subprocess.STDOUT))

    try:
        with serving(home) as base:
            readings = read_while(base, logins, stop_when=lambda: bool(runs) and runs[0].poll() is not None,
                                  when_signed_in=start_the_run, then_rounds=1, max_seconds=RUN_AND_READ_SECONDS, pause_seconds=PAUSE_SECONDS)
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
            run.wait()
        run_log.close()
    print(readings.report())
    (PROJECT_ROOT / "test-output").mkdir(exist_ok=True)
    (PROJECT_ROOT / "test-output" / "dashboard-readers.json").write_text(json.dumps(readings.latency(), indent=2), encoding="utf-8")

    assert readings.errors == [], [(v.username, v.page, v.error) for v in readings.errors[:10]]
    assert runs and runs[0].returncode == 0, (tmp_path / "run.log").read_text(encoding="utf-8")[-3000:]
    assert not readings.stopped_by_deadline, readings.report()
    assert {v.reader for v in readings.visits} == set(range(READERS))
    assert {v.page for v in readings.page_visits} == set(SITE_PAGES)
    # each reader saw the figures of before the run first, and those of after it last (its round after the run ended)
    for reader in range(READERS):
        shown = [participants_shown(v) for v in sorted(readings.page_visits, key=lambda v: v.started) if v.reader == reader]
        shown = [participants for participants in shown if participants is not None]
        assert shown[:1] == ["22"] and shown[-1:] == ["23"], (reader, shown)
