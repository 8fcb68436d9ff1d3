"""The README's main command, `ips-monitor demo`, on a fresh data home, seen in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_dashboard import browser, free_port, wait_healthy


@pytest.mark.browser
def test_demo_serves_national_figures(dbt_manifest, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen([str(Path(sys.executable).parent / "ips-monitor"), "demo", "--home", str(tmp_path / "home"),
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(port, demo, seconds=400)
        with sync_playwright() as p:
            b = browser(p, chromium)
            page = b.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(f"http://127.0.0.1:{port}/")
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
