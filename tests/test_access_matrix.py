"""Every page and every download of the served dashboard, as each role, in Debian's Chromium: what each receives.

The home holds the two sites of tests/small_dataset.py (IPS0001 in Stockholm, 12 participants; IPS0002 in Uppsala, 10
participants), named as a hostile site might (tests/conftest.py). The site reader is IPS0002's: the second site in every
list, so that a page that took the first site it found would show IPS0001's.

- Every page's address, in the session: the role's own pages are drawn; any other address is not in the role's menu,
  and Streamlit's navigation runs the main page (Översikt) instead, at its own address. Typed into a new window, an
  address is a new session: the sign-in page, with Streamlit's "Page not found" (no page but sign-in exists before
  signing in), and Översikt after signing in.
- Every download button of every page the role has, each file opened: a viewer's hold no site's id or name and no
  count of 1–4 participants; a site's hold no other site's id or name, and its own figures are its own (10
  participants); an analyst's hold every site.

Screenshots go to test-output/screenshots/ (not committed) to be looked at.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines import audit
from pipelines.access.roles import Role
from pipelines.settings import DASHBOARD_APP
from tests.conftest import HOSTILE_HOME_USERS, HOSTILE_NAMES
from tests.small_dataset import A, B
from tests.test_dashboard import PASSWORD, browser, serving
from tests.test_dashboard_roles import SCREENSHOTS

EVERYONE = (Role.VIEWER, Role.SITE, Role.ANALYST)
OVERVIEW = "IPS i Sverige – nationell uppföljning"
# every page of the app by its address -> its heading, the roles that have it
PAGES = {
    "oversikt": (OVERVIEW, EVERYONE),
    "regioner": ("Regioner", EVERYONE),
    "deltagare": ("Deltagare", EVERYONE),
    "programtrohet": ("Programtrohet", EVERYONE),
    "samhallsekonomi": ("Samhällsekonomi", EVERYONE),
    "lamna-rapport": ("Lämna årsrapport", (Role.SITE,)),
    "min-verksamhet": ("Min verksamhet", (Role.SITE, Role.ANALYST)),
    "verksamheter": ("Verksamheter", (Role.ANALYST,)),
    "datakvalitet": ("Datakvalitet", (Role.ANALYST,)),
    "insamling": ("Insamling", (Role.ANALYST,)),
    "definitioner": ("Definitioner", EVERYONE),
}
USERS = {name: (Role(role), site) for name, (role, site) in HOSTILE_HOME_USERS.items() if name in ("ministeriet", "samordnare", "analytiker")}
assert USERS["samordnare"] == (Role.SITE, B)
NAMES = HOSTILE_NAMES
SITE_ID = re.compile(r"IPS[0-9]{4}")


def tables(*stems: str) -> set[str]:
    """The files of tables, each as XLSX and CSV."""
    return {f"{stem}.{kind}" for kind in ("xlsx", "csv") for stem in stems}


# the files every role gets from the pages every role has: published figures only
PUBLISHED_FILES = tables("trend_Q", "trend_A", "arbete_inom_12_manader", "tackning_2025", "lan_2025", "diagnosis_2025", "sex_2025",
                         "age_2025", "tid_i_programmet_2025", "inkomstkallor_2025", "programtrohet_nivaer_2025",
                         "programtrohet_och_arbete_2025", "programtrohet_item_2025", "samhallsekonomi_2025", "samhallsekonomi_parametrar",
                         "definitioner")
SITE_FILES = tables(f"{B}_2025", f"{B}_kvartal", f"{B}_tratt_2025", f"{B}_item_2025", f"samhallsekonomi_{B}_2025") | {
    f"{B}_2025_rapport.pdf"}
EXPECTED_FILES = {
    Role.VIEWER: PUBLISHED_FILES,
    Role.SITE: PUBLISHED_FILES | SITE_FILES | {"ips-arsrapport-v1-mall.xlsx", "ips-arsrapport-v1-mall-csv.zip"},
    # Min verksamhet and Samhällsekonomi open the first site of the list, IPS0001
    Role.ANALYST: PUBLISHED_FILES | {name.replace(B, A) for name in SITE_FILES} | tables(
        "verksamheter_2025", "inlamnade_2025", "ifyllnadsgrad_2025", "insamling_2025", "verksamhetsregistret") | {
        "verksamhetsrapporter_2025.zip"},
}


@pytest.fixture(scope="module")
def served(hostile_sites_home):
    with serving(hostile_sites_home.home) as base:
        yield base, hostile_sites_home


# --- driving the served app ---------------------------------------------------------------------------------------

def settled(page, seconds: float = 60) -> None:
    """Until the app has run the page's script to its end (Streamlit says so on its root element) and stays so."""
    deadline, calm = time.monotonic() + seconds, 0
    while calm < 3:
        assert time.monotonic() < deadline, "the page kept running"
        state = page.get_attribute("[data-testid='stApp']", "data-test-script-state")
        calm = calm + 1 if state == "notRunning" else 0
        page.wait_for_timeout(150)


def fill_sign_in(page, username: str) -> None:
    """Sign in on the sign-in page as it stands, whatever address it is at."""
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=60_000)
    settled(page)


def visit(page, address: str) -> None:
    """Go to ``address`` (a page's path, with a query) in the same session, as the browser's back and forward buttons do:
    a new window would be a new session, signed out."""
    page.evaluate("address => { window.history.pushState({}, '', address); window.dispatchEvent(new PopStateEvent('popstate')); }",
                  "/" + address)
    settled(page)


def heading(page) -> str:
    return page.inner_text("h1")


def shown_text(page) -> str:
    """What the page shows as text: its text, the values in its fields, and its tables' cells (drawn on a canvas,
    and kept as text for screen readers)."""
    return page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('input')].map(field => field.value),
        ...[...document.querySelectorAll("[role='gridcell'], [role='columnheader']")].map(cell => cell.textContent)].join('\\n')""")


def download_keys(page) -> list[str]:
    """The download buttons on the page, by their key (Streamlit's st-key-… class)."""
    return page.eval_on_selector_all("[data-testid='stDownloadButton']", """buttons => buttons.map(button =>
        [...button.closest("[class*='st-key-']").classList].find(name => name.startsWith('st-key-')))""")


def download_all(page, into: Path) -> dict[str, Path]:
    """Click every download button of the page (those in a tab not shown too, the tab chosen first); file name -> file."""
    into.mkdir(parents=True, exist_ok=True)
    keys, files = download_keys(page), {}
    assert len(set(keys)) == len(keys), keys
    tabs = page.locator("[data-testid='stMain'] [role='tab']")
    for tab in range(tabs.count() + 1):
        if tab:
            if all(key in files for key in keys):
                break
            tabs.nth(tab - 1).click()
            settled(page)
        for key in keys:
            button = page.locator(f".{key} button")
            if key in files or not button.is_visible():
                continue
            with page.expect_download(timeout=120_000) as download:
                button.click()
            name = download.value.suggested_filename
            download.value.save_as(into / name)
            files[key] = into / name
    assert set(files) == set(keys), f"not downloaded: {set(keys) - set(files)}"
    return {path.name: path for path in files.values()}


def expect_not_found_then_sign_in(page, base: str, address: str, username: str) -> None:
    """``address`` typed into a new window: the sign-in page with Streamlit's "Page not found"; signed in, Översikt."""
    page.goto(f"{base}/{address}")
    page.wait_for_selector("[role='dialog']", timeout=60_000)
    settled(page)
    while page.query_selector("[role='dialog']"):  # closed, until the page has run and none is left
        assert page.inner_text("[role='dialog']") == ("Page not found\nThe page that you have requested does not seem to exist. "
                                                      "Running the app's main page.")
        page.keyboard.press("Escape")
        page.wait_for_selector("[role='dialog']", state="detached")
        settled(page)
    assert heading(page) == OVERVIEW and page.get_by_label("Användarnamn").is_visible()
    fill_sign_in(page, username)
    page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    assert heading(page) == OVERVIEW and page.url == f"{base}/"


def no_exception(page) -> None:
    assert "Traceback" not in page.inner_text("body") and not page.query_selector("[data-testid='stException']"), heading(page)


# --- the files ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """A downloaded table (a CSV file, an XLSX sheet): its headings and rows, every cell as text."""

    name: str
    header: list[str]
    rows: list[list[str]]

    def column(self, heading: str) -> list[str]:
        return [row[self.header.index(heading)] for row in self.rows]


@dataclass(frozen=True)
class Received:
    """One downloaded file as its reader gets it: its tables, or its text (a PDF), and those of the files inside a zip."""

    name: str
    tables: list[Table]
    text: str
    inside: list[Received]

    def all_text(self) -> str:
        cells = [self.name, self.text, *(cell for t in self.tables for row in [t.header, *t.rows] for cell in row)]
        return "\n".join([*cells, *(f.all_text() for f in self.inside)])

    def site_ids(self) -> set[str]:
        return set(SITE_ID.findall(self.all_text()))


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def read(name: str, content: bytes) -> Received:
    if name.endswith(".csv"):
        frame = pl.read_csv(io.BytesIO(content.decode("utf-8-sig").encode()), separator=";", infer_schema=False)
        return Received(name, [Table(name, frame.columns, [[_cell(v) for v in row] for row in frame.rows()])], "", [])
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        sheets = [[[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
        return Received(name, [Table(f"{name}:{sheet[0]}", rows[0], rows[1:]) for sheet, rows in zip(book.sheetnames, sheets) if rows],
                        "", [])
    if name.endswith(".pdf"):
        return Received(name, [], "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages), [])
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return Received(name, [], "", [read(member, archive.read(member)) for member in sorted(archive.namelist())])
    raise AssertionError(f"a download of an unknown kind: {name}")


def participant_counts(table: Table) -> Iterator[int]:
    """The counts of participants in a table: the cells of a heading that counts participants (not a share or a rate)."""
    for heading_ in table.header:
        if re.search("deltagare", heading_, re.IGNORECASE) and not re.search(r"andel|per 100", heading_, re.IGNORECASE):
            yield from (int(float(cell)) for cell in table.column(heading_) if re.fullmatch(r"[0-9]+(\.0)?", cell))


def figures_of(received: Received, indicator: str) -> list[str]:
    """A site's row of figures (site, county, nation) in a table of Min verksamhet."""
    (table,) = received.tables
    return next(row[1:] for row in table.rows if row[0] == indicator)


def check_viewer(files: dict[str, Received]) -> None:
    for received in files.values():
        assert not received.site_ids(), (received.name, received.site_ids())
        assert not any(name in received.all_text() for name in NAMES.values()), received.name
        for table in received.tables:
            assert not {"Id", "site_id", "Verksamhet"} & set(table.header), (table.name, table.header)
            small = [count for count in participant_counts(table) if 1 <= count <= 4]
            assert not small, (table.name, small)  # published counts: 0, or 5 and more, else withheld
    # a protected count where the site-level one would be small: IPS0002's 10 participants, and the diagnosis group
    # of 3 (site A's F90 participants) is withheld
    assert files["lan_2025.csv"].tables[0].column("Antal deltagare") == ["12", "10"]
    diagnosis = files["diagnosis_2025.csv"].tables[0]
    assert diagnosis.column("Antal deltagare")[diagnosis.column("Grupp").index("Neuropsykiatrisk funktionsnedsättning")] == "–"


def check_site(files: dict[str, Received], own: str) -> None:
    other = next(site for site in NAMES if site != own)
    for received in files.values():
        assert received.site_ids() & set(NAMES) <= {own}, (received.name, received.site_ids())  # a template's example IPS0042 is no site
        assert NAMES[other] not in received.all_text(), received.name
    # its own figures, unprotected, beside its county's (Uppsala: its own) and the nation's
    assert figures_of(files[f"{own}_2025.csv"], "Antal deltagare") == ["10", "10", "22"]
    report = files[f"{own}_2025_rapport.pdf"].text
    assert f"{own} · " in report and NAMES[own] in report and "Antal deltagare 10 10 22" in report
    funnel = files[f"{own}_tratt_2025.csv"].tables[0]
    assert funnel.column("Deltagare") == ["10"]  # its own point only


def check_analyst(files: dict[str, Received]) -> None:
    assert set().union(*(received.site_ids() for received in files.values())) == set(NAMES)
    every_site = files["verksamheter_2025.csv"].tables[0]
    counts = [float(cell.replace(",", ".")) for cell in every_site.column("Antal deltagare")]  # numbers, sortable
    assert sorted(zip(every_site.column(every_site.header[0]), counts)) == [(A, 12), (B, 10)]
    reports = files["verksamhetsrapporter_2025.zip"].inside
    assert [report.name for report in reports] == [f"{A}_2025_rapport.pdf", f"{B}_2025_rapport.pdf"]
    for report, (site_id, participants) in zip(reports, ((A, 12), (B, 10))):
        assert report.site_ids() == {site_id} and f"Antal deltagare {participants} " in report.text
    for name in ("insamling_2025.csv", "verksamhetsregistret.csv", "inlamnade_2025.csv"):
        assert files[name].site_ids() == set(NAMES), name
    assert figures_of(files[f"{A}_2025.csv"], "Antal deltagare") == ["12", "12", "22"]


CHECKS = {Role.VIEWER: check_viewer, Role.ANALYST: check_analyst}


# --- the tests ------------------------------------------------------------------------------------------------------

def test_the_matrix_has_every_page_of_the_app():
    """A page added to the app and not here would go untried."""
    app = DASHBOARD_APP.read_text(encoding="utf-8")  # read, not imported: importing it would run the app
    addresses = set(re.findall(r'url_path="([a-z-]+)"', app)) | set(re.findall(r'COLLECTION_PAGE = "([a-z-]+)"', app))
    assert addresses - {"logga-in"} == set(PAGES)


@pytest.mark.browser
@pytest.mark.parametrize("username", list(USERS))
def test_every_page_and_download_as_each_role(served, chromium, username, tmp_path):
    from playwright.sync_api import sync_playwright

    base, home = served
    role, site_id = USERS[username]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        forbidden = next(address for address, (_, roles) in PAGES.items() if role not in roles)
        expect_not_found_then_sign_in(page, base, forbidden, username)
        menu = page.eval_on_selector_all("[data-testid='stSidebarNav'] a", "links => links.map(link => new URL(link.href).pathname)")
        assert menu == ["/" if address == "oversikt" else f"/{address}" for address, (_, roles) in PAGES.items() if role in roles]

        for address, (title, roles) in PAGES.items():
            visit(page, address)
            if role in roles:
                page.wait_for_function("title => document.querySelector('h1')?.innerText === title", arg=title, timeout=60_000)
                no_exception(page)
                assert not page.query_selector("[data-testid='stAlertContentError']"), (address, page.inner_text("[data-testid='stMain']"))
                page.screenshot(path=str(SCREENSHOTS / f"matrix-{username}-{address}.png"), full_page=True)
                received = download_all(page, tmp_path / address)
                assert not received.keys() & files.keys(), received.keys() & files.keys()
                files |= received
            else:  # not in the role's menu: Streamlit's navigation runs the main page, at its own address
                assert heading(page) == OVERVIEW and page.url == f"{base}/", (address, heading(page), page.url)
                no_exception(page)
                text = shown_text(page)
                assert not SITE_ID.search(text) and not any(name in text for name in NAMES.values()), address

        # another site's figures asked for by address
        visit(page, f"min-verksamhet?site={A}")
        if role == Role.SITE:
            page.wait_for_selector("text=Du kan inte se den verksamhetens siffror.", timeout=60_000)
            text = shown_text(page)
            assert A not in text.replace(f"site={A}", "") and NAMES[A] not in text and not page.query_selector("[data-testid='stDataFrame']")
        elif role == Role.ANALYST:
            page.wait_for_selector("text=Verksamhetens egna siffror", timeout=60_000)
            assert NAMES[A] in shown_text(page)
        else:
            assert heading(page) == OVERVIEW and page.url == f"{base}/?site={A}"
        b.close()

    assert set(files) == EXPECTED_FILES[role], (set(files) ^ EXPECTED_FILES[role])
    # every file taken is in the audit log under its reader, and which sites' own figures an analyst opened
    assert {e.subject for e in audit.read(home, actor=username, action=audit.Action.EXPORT).entries} == set(files)
    opened = {e.site_id for e in audit.read(home, actor=username, action=audit.Action.SITE_OPENED).entries}
    assert opened == ({A, B} if role == Role.ANALYST else set())
    received = {name: read(name, path.read_bytes()) for name, path in files.items()}
    if role == Role.SITE:
        check_site(received, site_id)
    else:
        CHECKS[role](received)
