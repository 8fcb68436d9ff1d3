"""`ips-monitor serve` stops every process it started, however it is stopped: Ctrl+C or a SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.serving import wait_until_serving
from tests.test_dashboard import free_port


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc), children of children too."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serve_stops_the_dashboard_and_dagster_with_it(tmp_path, dbt_manifest, stop):
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "ips-monitor"), "--home", str(tmp_path / "home"), "serve",
                               "--port", str(port), "--dagster-port", str(free_port())],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started: set[int] = set()
    try:
        wait_until_serving(port, server)
        time.sleep(5)  # the daemon and the webserver have started their code servers
        started = descendants(server.pid)
        commands = " ".join(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ") for pid in started if alive(pid))
        assert "dagster-daemon" in commands and "dagster-webserver" in commands and "streamlit" in commands
        server.send_signal(stop)  # to the serve process alone, as a service manager does
        server.wait(timeout=90)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [pid for pid in started if alive(pid)]
    finally:
        for pid in started | descendants(server.pid) | {server.pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
