"""The README's main command, `ips-monitor demo`, on a fresh data home, seen in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.serving import wait_until_serving
from tests.test_dashboard import browser, free_port, sign_in


def wait_for_last_line(log: Path, starting: str, seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = log.read_text(encoding="utf-8").splitlines()
        if lines and lines[-1].startswith(starting):
            return lines
        time.sleep(0.5)
    raise AssertionError(f"the demo's output did not end with {starting!r}: {log.read_text(encoding='utf-8')[-2000:]}")


@pytest.mark.browser
def test_demo_serves_national_figures(dbt_manifest, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen([str(Path(sys.executable).parent / "ips-monitor"), "demo", "--home", str(tmp_path / "home"),
                             "--port", str(port), "--dagster-port", str(free_port())], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_serving(port, demo, seconds=400)
        lines = wait_for_last_line(tmp_path / "demo.log", f"Dashboard: http://localhost:{port}")
        # the last lines: one user of each role with a password, then the address
        users = {line.split()[0]: line.split()[1] for line in lines[-4:-1]}
        assert set(users) == {"ministeriet", "verksamheten", "analytikern"}, lines[-6:]
        assert len(lines) < 30, lines  # a line per stage, not Dagster's debug log (that is in logs/ under the home)
        with sync_playwright() as p:
            b = browser(p, chromium)
            page = b.new_page(viewport={"width": 1400, "height": 1600})
            sign_in(page, f"http://127.0.0.1:{port}", "ministeriet", users["ministeriet"])
            page.wait_for_function("document.body.innerText.includes('Antal verksamheter')", timeout=60_000)
            body = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
            b.close()
        # 40 demo sites in the newest year, and a national employment rate shown as a percentage
        assert "Antal verksamheter\n\n40" in body
        assert " %" in body.split("Andel i konkurrensutsatt arbete (%)")[1].split("\n\n")[1]
        assert (tmp_path / "home" / "exports" / "ips_indicators_2025_sdmx.csv").exists()
    finally:
        os.killpg(demo.pid, 15)
        demo.wait(timeout=30)
        log.close()
