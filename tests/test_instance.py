"""The data home's Dagster instance: its event log keeps a connection open to each database it uses, and still
behaves as Dagster's own (every event stored and read back, a run followed from another process, a wipe)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pipelines.definitions import prepare_instance
from pipelines.instance import OPEN_DATABASES, EventLogKeepingConnections
from pipelines.settings import load_settings


def log_entry(run_id: str, message: str) -> dg.EventLogEntry:
    return dg.EventLogEntry(error_info=None, level=logging.INFO, user_message=message, run_id=run_id, timestamp=time.time())


def messages(storage, run_id: str) -> list[str]:
    return [record.event_log_entry.user_message for record in storage.get_records_for_run(run_id).records]


@pytest.fixture
def instance(tmp_path):
    with dg.DagsterInstance.from_config(str(prepare_instance(load_settings(tmp_path / "home")))) as instance:
        yield instance


@pytest.fixture
def count_connections():
    """How many SQLite connections were opened since the fixture began (SQLAlchemy's pool events)."""
    opened = []

    def on_connect(_connection, _record):
        opened.append(1)

    sa.event.listen(sa.pool.Pool, "connect", on_connect)
    yield lambda: len(opened)
    sa.event.remove(sa.pool.Pool, "connect", on_connect)


@pytest.fixture
def event_logs(tmp_path):
    """Opens event logs on one folder (``tmp_path/event_logs``), as separate processes would; each disposed after."""
    opened: list[EventLogKeepingConnections] = []

    def open_one() -> EventLogKeepingConnections:
        opened.append(EventLogKeepingConnections(str(tmp_path / "event_logs")))
        return opened[-1]

    yield open_one
    for storage in opened:
        storage.dispose()


def open_database_files(folder: Path) -> list[str]:
    """The SQLite database files in ``folder`` this process holds open (its file descriptors)."""
    paths = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)) and target.endswith(".db"):
            paths.append(target)
    return paths


def test_the_data_homes_instance_stores_a_runs_events_through_one_connection(instance, count_connections):
    storage = instance.event_log_storage
    run_id = str(uuid.uuid4())
    storage.store_event(log_entry(run_id, "first"))  # creates the run's database
    before = count_connections()

    for n in range(50):
        storage.store_event(log_entry(run_id, f"event {n}"))

    assert isinstance(storage, EventLogKeepingConnections)
    assert count_connections() - before == 0  # Dagster's own opens one connection per event: 50
    assert messages(storage, run_id) == ["first", *(f"event {n}" for n in range(50))]


def test_the_event_log_looks_for_a_table_once_however_often_it_is_asked(instance, count_connections):
    """Dagster asks whether its asset check table exists at every asset check's event: 86 in a build."""
    storage = instance.event_log_storage
    before = count_connections()

    answers = [storage.supports_asset_checks for _ in range(20)]

    assert answers == [True] * 20
    assert count_connections() - before <= 1  # Dagster's own opens one connection per question: 20


def test_a_run_is_followed_as_each_event_is_stored(event_logs):
    """The webserver follows a run by watching its database file: an event written only to the write-ahead log would
    not reach it until the run ended. A second storage on the same files stands for the webserver's process."""
    writer, follower = event_logs(), event_logs()
    run_id = str(uuid.uuid4())
    writer.store_event(log_entry(run_id, "created"))
    seen: list[str] = []
    all_seen = threading.Event()

    def on_event(entry, _cursor):
        seen.append(entry.user_message)
        if entry.user_message == "event 4":
            all_seen.set()

    follower.watch(run_id, None, on_event)
    for n in range(5):
        time.sleep(0.2)
        writer.store_event(log_entry(run_id, f"event {n}"))
    assert all_seen.wait(timeout=10), f"the follower saw only {seen}"
    assert seen[-5:] == [f"event {n}" for n in range(5)]


def test_reading_a_run_does_not_touch_its_database_file(event_logs):
    """Else the webserver, woken by the file's change, would read the run, change the file and wake itself for ever."""
    storage = event_logs()
    run_id = str(uuid.uuid4())
    storage.store_event(log_entry(run_id, "one event"))
    database = Path(storage.path_for_shard(run_id))
    os.utime(database, ns=(0, 0))

    assert messages(storage, run_id) == ["one event"]
    assert database.stat().st_mtime_ns == 0
    storage.store_event(log_entry(run_id, "another"))
    assert database.stat().st_mtime_ns > 0


def test_the_instance_a_run_worker_is_given_keeps_its_connections(instance):
    """The daemon's run worker builds its instance from the reference the daemon serialised, not from dagster.yaml."""
    from dagster._core.instance.ref import InstanceRef
    from dagster._serdes import deserialize_value, serialize_value

    reference = deserialize_value(serialize_value(instance.get_ref()), InstanceRef)
    with dg.DagsterInstance.from_ref(reference) as worker_instance:
        assert isinstance(worker_instance.event_log_storage, EventLogKeepingConnections)


def test_threads_share_the_kept_connection(event_logs):
    """The webserver's watcher and its request threads use one storage: SQLite refuses a connection made in another
    thread unless told otherwise."""
    storage = event_logs()
    run_id = str(uuid.uuid4())
    errors: list[BaseException] = []

    def store(thread: int) -> None:
        try:
            for n in range(20):
                storage.store_event(log_entry(run_id, f"{thread}-{n}"))
        except BaseException as error:  # noqa: BLE001 - the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=store, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(messages(storage, run_id)) == sorted(f"{t}-{n}" for t in range(4) for n in range(20))


def test_an_event_log_keeps_no_more_than_its_limit_of_databases_open(tmp_path, event_logs):
    """The webserver reads one run after another: each would otherwise keep its database open for ever."""
    folder = tmp_path / "event_logs"
    storage = event_logs()
    run_ids = [str(uuid.uuid4()) for _ in range(OPEN_DATABASES + 6)]
    for run_id in run_ids:
        storage.store_event(log_entry(run_id, "one event"))
    assert 1 <= len(open_database_files(folder)) <= OPEN_DATABASES
    assert all(messages(storage, run_id) == ["one event"] for run_id in run_ids)  # an evicted database opens again
    storage.dispose()
    assert open_database_files(folder) == []


def test_a_wiped_event_log_stores_its_next_events_where_others_read_them(event_logs):
    """A wipe deletes the runs' database files: a connection kept to a deleted file would write where nobody reads."""
    storage, reader = event_logs(), event_logs()
    run_id = str(uuid.uuid4())
    storage.store_event(log_entry(run_id, "before the wipe"))
    storage.wipe()
    storage.store_event(log_entry(run_id, "after the wipe"))

    assert messages(reader, run_id) == ["after the wipe"]
