"""The data home's Dagster instance, named in its ``dagster.yaml``: Dagster's own SQLite storage in the instance's
folder, with an event log that keeps a connection open to each database it uses.

Dagster's SQLite event log opens a connection for every event it stores and closes it after. Each new connection
parses the schema again, and closing the last one checkpoints the write-ahead log into the database and deletes it.
A scale-1 build stores 411 events, and storing them took 3.6-3.9 s of the run so; with the connections kept, 1.0-1.2 s.

Nothing here is Dagster's public API (the storage classes, ``InstanceRef``'s defaults): ``tests/test_instance.py``
checks the behaviour at each Dagster upgrade.
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import sqlalchemy as sa
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData

# The run worker writes to two databases (its run's and the index); the webserver reads one run after another.
OPEN_DATABASES = 4


class EventLogKeepingConnections(SqliteEventLogStorage):
    """Dagster's SQLite event log, one engine and one open connection for each of the ``OPEN_DATABASES`` databases used
    last. Every use still holds the storage's lock, as Dagster's does, so one connection serves all threads."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: collections.OrderedDict[str, sa.Engine] = collections.OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)  # reads and writes the index through _connect when it is new

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]) -> EventLogKeepingConnections:
        return cls(inst_data=inst_data, **config_value)

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection:
                changes_before = _changes(connection)
                with connection.begin():
                    yield connection
                if shard != INDEX_SHARD_NAME and _changes(connection) != changes_before:
                    # The webserver follows a run by watching its database file for changes, which an event written to
                    # the write-ahead log is not (Dagster's closing of the connection copied the log into the file).
                    # The event is stored: a file gone (a wipe) or not ours to touch only costs the followers a wake.
                    with contextlib.suppress(OSError):
                        os.utime(self.path_for_shard(shard))

    def _engine(self, shard: str) -> sa.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # one connection for every thread, each use under the storage's lock
            engine = sa.create_engine(self.conn_string_for_shard(shard), pool_size=1,
                                      connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            sa.event.listen(engine, "connect", _write_ahead_without_waiting_for_the_disk)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Asked at each asset check's and tagged asset's event, and Dagster's answers with an engine made for the
        question (0.4 s of a scale-1 run): a table found is remembered, since Dagster's migrations only add tables."""
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _close_connections(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_connections()  # before their files are deleted
        super().wipe()
        self._close_connections()  # any that another thread opened meanwhile, to a file now deleted

    def dispose(self) -> None:
        super().dispose()
        self._close_connections()


def _changes(connection: sa.Connection) -> int:
    """The rows the SQLite connection has written since it was opened."""
    return connection.connection.dbapi_connection.total_changes  # type: ignore[union-attr]


def _write_ahead_without_waiting_for_the_disk(connection: Any, _record: Any) -> None:
    """``synchronous=NORMAL``: in write-ahead mode a commit is not flushed to the disk, a checkpoint is. A power cut can
    lose the last events stored, never the database (SQLite's documentation, "PRAGMA synchronous")."""
    connection.execute("PRAGMA synchronous=NORMAL")


class SqliteStorageKeepingConnections(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, schedules and sensors, events) with ``EventLogKeepingConnections``."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = EventLogKeepingConnections(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]) -> SqliteStorageKeepingConnections:
        return cls.from_local(inst_data=inst_data, **config_value)


class IpsMonitorInstance(dg.DagsterInstance):
    """A Dagster instance whose default storage, in its own folder, is ``SqliteStorageKeepingConnections``. A storage an
    operator names in ``dagster.yaml`` (PostgreSQL, say) replaces it as Dagster's default would be replaced."""

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        storage = ConfigurableClassData(__name__, SqliteStorageKeepingConnections.__name__, yaml.dump({"base_dir": base_dir}))
        return {**InstanceRef.config_defaults(base_dir), "storage": storage}
