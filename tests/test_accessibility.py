"""The served dashboard at the demo's size, checked with axe-core (WCAG 2.1 A and AA) on every page of every role and
on the sign-in page; signing in with the keyboard alone; and each page's render time, measured and reported.

axe-core is npm's release, fetched by `make axe`. Each page's full axe result goes to test-output/axe/, the page
times to test-output/page-times.json (neither committed).
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pipelines.access.users import add_user
from pipelines.returns.submit import submit
from pipelines.settings import PROJECT_ROOT, load_settings
from seeds.demo_returns import generate_demo_returns
from tests.conftest import run_pipeline
from tests.page_timing import analyst_page_times, medians, open_page, role_pages
from tests.test_dashboard import PASSWORD, browser, serving, sign_in
from tests.test_dashboard_roles import PAGES, USERS

if TYPE_CHECKING:
    from playwright.sync_api import Page

OUTPUT = PROJECT_ROOT / "test-output"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
VISITS = 5
SIGN_IN_FORM = "[data-testid='stApp'][data-test-script-state='notRunning'] input[autocomplete='username']"


@pytest.fixture(scope="session")
def axe_js() -> Path:
    path: Path = runpy.run_path(str(PROJECT_ROOT / "scripts" / "axe_core.py"))["AXE_JS"]
    if not path.exists():
        pytest.fail(f"axe-core is missing ({path}): run `make axe` (or `make test`, which does it)")
    return path


@pytest.fixture(scope="module")
def demo_served(tmp_path_factory, dbt_manifest) -> Iterator[str]:
    """The demo's data (40 sites, three years) run through the pipeline, a user of each role, served."""
    settings = load_settings(tmp_path_factory.mktemp("a11y-home"))
    for path in generate_demo_returns(tmp_path_factory.mktemp("a11y-returns")):
        assert submit(path, settings).verdict == "accepted"
    run_pipeline(settings)
    for username, (role, site_id) in USERS.items():
        add_user(settings, username, role, PASSWORD, site_id)
    with serving(settings.home) as base:
        yield base


def audit(page: Page, axe_js: Path, where: str) -> list[str]:
    """axe's WCAG 2.1 A/AA rules on the page as it is; the full result saved, the serious and critical violations described."""
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    (OUTPUT / "axe").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "axe" / f"{where}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return [describe(where, violation) for violation in result["violations"] if violation["impact"] in BLOCKING]


def describe(where: str, violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    lines = [f"{where}: {violation['id']} ({violation['impact']}, {len(nodes)} elements): {violation['help']} ({violation['helpUrl']})"]
    for node in nodes[:3]:
        checks = node["any"] + node["all"] + node["none"]
        lines.append(f"    {' '.join(map(str, node['target']))}\n      {node['html'][:300]}\n      {checks[0]['message'] if checks else ''}")
    return "\n".join(lines)


@pytest.mark.browser
def test_sign_in_page_is_accessible(demo_served, chromium, axe_js):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(demo_served + "/")
        page.wait_for_selector(SIGN_IN_FORM, timeout=60_000)
        problems = audit(page, axe_js, "sign-in")
        b.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("username", USERS)
def test_every_page_of_each_role_is_accessible(demo_served, chromium, axe_js, username):
    from playwright.sync_api import sync_playwright

    role, _ = USERS[username]
    problems = []
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        sign_in(page, demo_served, username, PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        for name, heading in role_pages(role).items():
            open_page(page, name, heading)
            stem, _, _ = PAGES[name]
            problems += audit(page, axe_js, f"{username}-{stem}")
        b.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_sign_in_with_the_keyboard_alone(demo_served, chromium):
    from playwright.sync_api import sync_playwright

    on_user_name = "document.activeElement.matches(\"input[autocomplete='username']\")"
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(demo_served + "/")
        page.wait_for_selector(SIGN_IN_FORM, timeout=60_000)
        for _ in range(10):  # from the top of the page: skip link, menu, main, heading anchor, then the form
            if page.evaluate(on_user_name):
                break
            page.keyboard.press("Tab")
        assert page.evaluate(on_user_name), page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        page.keyboard.type("ministeriet")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        b.close()


@pytest.mark.browser
def test_page_render_times_are_measured(demo_served, chromium, capsys):
    times = analyst_page_times(demo_served, chromium, "analytiker", PASSWORD, VISITS)
    assert {name: len(runs) for name, runs in times.items()} == {name: VISITS for name in role_pages(USERS["analytiker"][0])}
    pages = medians(times)
    report = {"size": "demo (40 sites, three years)", "visits": VISITS, "target_s": 1.0, "pages": pages}
    (OUTPUT / "page-times.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    with capsys.disabled():
        print("\npage render times at the demo's size (median, first visit), target < 1 s:")
        for name, figures in pages.items():
            print(f"  {name:<15} {figures['median_s']:.2f} s  {figures['first_visit_s']:.2f} s")
