"""dbt run inside the run's own process, its results turned into Dagster's events by dagster-dbt, as it turns those of
dbt's command line.

dagster-dbt only starts dbt's command line, as a process of its own. At scale 1 that costs a run about 1 s of its
~10 (a second Python importing dbt, which the run's process has mostly imported already through dagster-dbt, and
ending it). Here dbt runs through its programmatic entry (``dbtRunner``) on a thread of this process. Each result it
reports goes to dagster-dbt's own translation (``DbtCoreCliEventMessage.to_default_asset_events``), and dagster-dbt
chooses what to build for the assets and checks asked for, so a run records the same materializations and asset
checks as with dbt's command line. A run's process that is killed takes its dbt with it: no dbt is left behind holding
the warehouse.
"""

from __future__ import annotations

import ctypes
import queue
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator
from dagster_dbt.asset_utils import extract_runtime_selection_from_args, get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipelines.settings import DBT_PROJECT_DIR

# dbt's events that its command line prints at its default level, into the run's log here
PRINTED_LEVELS = frozenset({"info", "warn", "error"})
# the events dagster-dbt makes Dagster's events of (DbtCoreCliEventMessage.is_result_event): only these are made whole
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
# how long an interrupted run waits for dbt to stop its queries and end, as dagster-dbt waits for dbt's command line
STOP_SECONDS = 25
PARTIAL_PARSE = "partial_parse.msgpack"


@dataclass(frozen=True)
class _Line:
    """A line dbt prints; a node's result also whole, as dbt's JSON log line has it (dagster-dbt's input)."""

    text: str
    error: bool
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Ended:
    success: bool
    exception: BaseException | None


def dbt_build(context: dg.AssetExecutionContext, args: Sequence[str], target_path: Path) -> Iterator[Any]:
    """``dbt <args>``, for the assets and checks this step was asked for, in this process: yields dagster-dbt's events
    as each node ends; once dbt has ended, raises if it failed, naming dbt's errors."""
    cleaned_args, selects, excludes = extract_runtime_selection_from_args(list(args))
    params = get_updated_cli_invocation_params_for_context(context=context, manifest={}, dagster_dbt_translator=DagsterDbtTranslator(),
                                                           runtime_selects=selects, runtime_excludes=excludes)
    project_dir = Path(params.dbt_project.project_dir) if params.dbt_project else DBT_PROJECT_DIR
    _start_from_the_projects_parse(project_dir, target_path)
    # --no-write-json: dbt's manifest.json and run_results.json, which nothing here reads (the events come from each
    # result as it is reported), cost 0.2-0.25 s of a run at scale 1 to write
    dbt_args = [*cleaned_args, *params.selection_args, "--project-dir", str(project_dir), "--profiles-dir", str(DBT_PROJECT_DIR),
                "--target-path", str(target_path), "--log-path", str(target_path), "--log-level", "none", "--no-write-json",
                *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else [])]
    context.log.info(f"dbt i körningens egen process / dbt in the run's own process: dbt {' '.join(dbt_args)}")

    reported: queue.Queue[_Line | _Ended] = queue.Queue()
    dbt = threading.Thread(target=_invoke, args=(dbt_args, reported), name="dbt", daemon=True)
    dbt.start()
    errors: list[str] = []
    try:
        while not isinstance(item := reported.get(), _Ended):
            _echo(item, errors)
            if item.result is not None:
                event = DbtCoreCliEventMessage(raw_event=item.result, event_history_metadata={})
                yield from event.to_default_asset_events(manifest=params.manifest, dagster_dbt_translator=params.dagster_dbt_translator,
                                                         context=context, target_path=target_path, project=params.dbt_project)
    except BaseException:
        # the run terminated while this step waited for dbt: dbt stops as on Ctrl+C, once its next node ends (its wait
        # for nodes cannot be interrupted), cancelling the queries still running and running no more. (Dagster may
        # raise a run's interrupt in its own code instead, between two of this step's events: dbt then ends with the
        # run's process, as if it were killed.)
        _interrupt(dbt)
        _echo_until_ended(reported, time.monotonic() + STOP_SECONDS)
        raise
    dbt.join()
    if not item.success:
        reasons = [*errors, *([f"{type(item.exception).__name__}: {item.exception}"] if item.exception else [])]
        raise DagsterDbtCliRuntimeError(description=f"dbt {cleaned_args[0]} misslyckades / failed:\n\n" + "\n\n".join(reasons))


def _echo(line: _Line, errors: list[str]) -> None:
    sys.stdout.write(f"{line.text}\n")  # as dagster-dbt echoes dbt's command line: into the run's log
    sys.stdout.flush()
    if line.error:
        errors.append(line.text)


def _echo_until_ended(reported: queue.Queue[_Line | _Ended], deadline: float) -> None:
    """dbt's last lines as it stops (the queries it cancelled), into the run's log."""
    while (seconds := deadline - time.monotonic()) > 0:
        try:
            item = reported.get(timeout=seconds)
        except queue.Empty:
            return
        if isinstance(item, _Ended):
            return
        _echo(item, [])


def _invoke(args: list[str], reported: queue.Queue[_Line | _Ended]) -> None:
    ended = _Ended(False, None)
    try:
        from dbt.cli.main import dbtRunner
        from dbt_common.events.base_types import EventMsg
        from dbt_common.events.functions import msg_to_dict

        def on_event(message: EventMsg) -> None:  # on dbt's threads, as each event is fired
            info: Any = message.info  # dbt's protobuf message; its typing stubs leave out ``msg``
            if info.name in RESULT_EVENTS:
                reported.put(_Line(info.msg, info.level == "error", msg_to_dict(message)))
            elif info.level in PRINTED_LEVELS:
                reported.put(_Line(info.msg, info.level == "error"))

        result = dbtRunner(callbacks=[on_event]).invoke(args)
        ended = _Ended(result.success, result.exception)
    except BaseException as error:  # noqa: BLE001 - handed to the step, which raises it
        ended = _Ended(False, error)
    finally:
        try:
            _let_go_of_the_warehouse()
        finally:
            reported.put(ended)


def _let_go_of_the_warehouse() -> None:
    """dbt-duckdb keeps its database open for the life of the process and lets go of it only at exit. Let go now: the
    next steps open the warehouse themselves, in another configuration, and other processes wait for it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in dbt's thread, where dbt handles it as it handles Ctrl+C on its command line."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt))


def _start_from_the_projects_parse(project_dir: Path, target_path: Path) -> None:
    """As dagster-dbt does: a target folder without dbt's partial parse starts from the project's (``dbt parse``)."""
    source, destination = project_dir / "target" / PARTIAL_PARSE, target_path / PARTIAL_PARSE
    if source.exists() and not destination.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)
