"""The served system: the dashboard, and beside it the Dagster daemon, whose sensor refreshes the warehouse as soon as
the returns in effect change (an accepted upload, a confirmed replacement), and the Dagster webserver for the national
function. Started together, stopped together (however `serve` ends: a SIGKILL, which leaves it no time to stop them,
stops them too); each writes its log under the data home."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from pipelines.settings import DASHBOARD_APP, HOME_ENV, Settings

BIN = Path(sys.executable).parent
DEFINITIONS_MODULE = "pipelines.definitions"
PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent ends


def dashboard_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
            # darker than Streamlit's own, so that its paler captions and the chosen button pass WCAG AA contrast (4.5:1)
            "--theme.textColor", "#0b0c0c", "--theme.primaryColor", "#1f4e79"]


def services(port: int, dagster_port: int | None) -> dict[str, list[str]]:
    """Each process of the served system by name (without Dagster when ``dagster_port`` is None: the dashboard alone);
    the dashboard last, so that it comes up once the rest is started."""
    dagster = {
        "dagster-daemon": [str(BIN / "dagster-daemon"), "run", "-m", DEFINITIONS_MODULE],
        "dagster-webserver": [str(BIN / "dagster-webserver"), "-m", DEFINITIONS_MODULE, "-h", "127.0.0.1", "-p", str(dagster_port)],
    } if dagster_port is not None else {}
    return {**dagster, "dashboard": dashboard_command(port)}


@contextlib.contextmanager
def serving(settings: Settings, port: int, dagster_port: int | None) -> Iterator[subprocess.Popen[bytes]]:
    """The system running, as the dashboard's process; every process is stopped on leaving, however it is left."""
    from pipelines.definitions import prepare_instance

    prepare_instance(settings)
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, HOME_ENV: str(settings.home), "DAGSTER_HOME": str(settings.dagster_home)}
    if dagster_port is not None:
        # the instance's storage made once, here: the daemon and the webserver would otherwise race to create it
        subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, check=True, capture_output=True)
    started: list[subprocess.Popen[bytes]] = []
    # a SIGTERM (a service manager's stop, a test's) would end this process at once, leaving the services running:
    # it leaves through the `finally` below instead, as Ctrl+C does. Ctrl+C is made to work even when this process was
    # started with SIGINT ignored (as a shell starts a job in the background), which Python then leaves ignored.
    previous_handler = signal.signal(signal.SIGTERM, _exit_on_signal)
    previous_interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        for name, command in services(port, dagster_port).items():
            with (settings.logs_dir / f"{name}.log").open("ab") as log:
                started.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                                preexec_fn=_ended_with(os.getpid())))
        wait_until_serving(port, started[-1])
        yield started[-1]
    finally:
        for process in reversed(started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        signal.signal(signal.SIGTERM, previous_handler)
        signal.signal(signal.SIGINT, previous_interrupt)


def _ended_with(parent: int) -> Callable[[], None]:
    """What a service runs before its command: Linux sends it SIGTERM (it stops as on Ctrl+C) when ``parent`` ends,
    however it ends. A service left running would hold its port and the Dagster instance, so the next `serve` would
    fail; a SIGKILL gives `serving` no `finally` to stop them."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None  # found before the fork

    def ask() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # it ended before the request was made
                os.kill(os.getpid(), signal.SIGTERM)
    return ask


def _exit_on_signal(signal_number: int, _frame: object) -> None:
    raise SystemExit(128 + signal_number)


def wait_until_serving(port: int, dashboard: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Until the dashboard answers its health check; raises if it stops or does not come up in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if dashboard.poll() is not None:
            raise RuntimeError(f"the dashboard stopped (exit {dashboard.returncode}); see its log under the data home")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the dashboard did not come up within {seconds:.0f} s")
