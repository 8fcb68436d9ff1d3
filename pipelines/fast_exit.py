"""The end of a command's own process (`ips-monitor`, and `ips-dbt`) without Python's teardown."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_without_teardown(code: int) -> NoReturn:
    """Ends the process as Python's exit would, the threads waited for, the exit handlers run (logging flushed,
    finalizers called) and the output flushed, but without tearing down every module: that walks the cycle collector
    over every object Dagster and dbt made, about a second of each (issue 13), and DuckDB's bindings would report the
    objects frozen out of the collector (gc.freeze) as leaked."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # noqa: SLF001 (what Python's exit runs first; there is no public name for it)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
