"""How long each dashboard page takes to render in Chromium: measured, not asserted (the browser test and
`make benchmark` report it; the targets are under 1 s at the demo's size and under 2 s at ten times it).

A page counts as rendered when its heading is there, Streamlit has finished the script run (the app's
``data-test-script-state`` is ``notRunning`` and no element of the previous page is left stale) and every
chart and table in view (not in a closed tab) has been drawn.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

from pipelines.access.roles import Role
from tests.test_dashboard import browser, sign_in
from tests.test_dashboard_roles import PAGES

if TYPE_CHECKING:
    from playwright.sync_api import Page

RENDERED = """heading => {
    const app = document.querySelector("[data-testid='stApp']");
    const title = document.querySelector("h1");
    const drawn = (selector, inner) => [...document.querySelectorAll(selector)]
        .every(element => !element.checkVisibility() || element.querySelector(inner));  // one in a closed tab waits to be shown
    return app?.getAttribute("data-test-script-state") === "notRunning" && !!title && title.innerText.includes(heading)
        && !document.querySelector("[data-stale='true']")
        && drawn("[data-testid='stVegaLiteChart']", "svg, canvas") && drawn("[data-testid='stDataFrame']", "canvas");
}"""


def open_page(page: Page, name: str, heading: str) -> None:
    """Click the page's link in the menu (a page may link to another in its text) and wait until it is rendered."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name, exact=True).click()
    page.wait_for_function(RENDERED, arg=heading, timeout=120_000)


def role_pages(role: Role) -> dict[str, str]:
    """The menu links a role has, each with its page's heading."""
    return {name: heading for name, (_, heading, roles) in PAGES.items() if role in roles}


def page_times(page: Page, pages: dict[str, str], visits: int) -> dict[str, list[float]]:
    """Seconds from clicking each page's menu link to the page rendered, ``visits`` times each, the pages in
    turn so that each click draws another page. The first time of each is its first visit (queries not yet cached)."""
    *_, last = pages
    open_page(page, last, pages[last])  # start from another page than the first one measured
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(visits):
        for name, heading in pages.items():
            started = time.perf_counter()
            open_page(page, name, heading)
            times[name].append(time.perf_counter() - started)
    return times


def analyst_page_times(base: str, chromium: str, username: str, password: str, visits: int) -> dict[str, list[float]]:
    """``page_times`` of every page of the analyst (who has them all), signed in as ``username``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        sign_in(page, base, username, password)
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        times = page_times(page, role_pages(Role.ANALYST), visits)
        b.close()
    return times


def medians(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {name: {"median_s": round(statistics.median(runs), 3), "first_visit_s": round(runs[0], 3)} for name, runs in times.items()}
