"""Text from returns is never rendered as HTML or Markdown: the served dashboard in Debian's Chromium, with two sites
named as a hostile site might name itself (tests/conftest.py: IPS0001 as Markdown, IPS0002 as HTML), an upload whose
file name and cell carry the same, and a user name that Markdown would turn italic.

On every page that shows a site's name or a return's words, each shows as the words it is, and nothing of it becomes
an element: no image (none fetched), no link, no bold or italic, no dialog opened by an ``onerror``. The site report
(PDF) sets the name as text, with no link in it. Screenshots go to test-output/screenshots/ to be looked at.
"""

from __future__ import annotations

import io
import string
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from dashboards.ui import escape_markdown
from pipelines.returns.submit import submit
from tests.conftest import HOSTILE_NAMES
from tests.returns import diagnosis, episode, participant, site_row, write
from tests.test_access_matrix import settled, shown_text
from tests.test_dashboard import PASSWORD, browser, serving, sign_in
from tests.test_dashboard_roles import SCREENSHOTS

MARKDOWN_SITE, HTML_SITE = "IPS0001", "IPS0002"
MARKDOWN_NAME, HTML_NAME = HOSTILE_NAMES[MARKDOWN_SITE], HOSTILE_NAMES[HTML_SITE]
FILE_NAME = "**fet** _kursiv_ [länk](javascript:alert(1)) <img src=x onerror=alert(1)> :smile:.zip"  # no slash: a file's name
CELL = "**bold** [x](javascript:alert(1)) <b>hi</b>"
UNREGISTERED = "[IPS9999](javascript:alert(1)) **x** <b>hi"  # a return's site id, as a file sent in by e-mail may give it
SITE_USER, ANALYST = "samordnare-1", "_analys_"  # Markdown would show the analyst as an italic "analys"
# what Markdown or HTML would have made of the words above
RENDERED = ("img[src='x']", "img[src*='127.0.0.1:9']", "a[href^='javascript:' i]", "a:text-is('länk')", "a:text-is('x')",
            "strong:text-is('fet')", "strong:text-is('bold')", "em:text-is('kursiv')", "b:text-is('hi')", "em:text-is('analys')")


@pytest.fixture(scope="module")
def served(hostile_sites_home):
    with serving(hostile_sites_home.home) as base:
        yield base, hostile_sites_home


class Watched:
    """A page, watched for what hostile text would do if it were rendered: open a dialog (``onerror=alert``) or fetch
    the image a Markdown payload names (127.0.0.1:9)."""

    def __init__(self, page):
        self.page, self.dialogs, self.fetched = page, [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: self.fetched.append(request.url) if urlsplit(request.url).port == 9 else None)

    def shows_as_text(self, screenshot: str, *words: str) -> None:
        """Each of ``words`` is on the page as it stands, and nothing was rendered from any hostile text."""
        page = self.page
        settled(page)
        page.screenshot(path=str(SCREENSHOTS / f"hostile-{screenshot}.png"), full_page=True)
        text = shown_text(page)
        for said in words:
            assert said in text, (screenshot, said)
        made = {selector: page.locator(selector).count() for selector in RENDERED}
        assert not any(made.values()), (screenshot, made)
        assert not self.dialogs and not self.fetched, (screenshot, self.dialogs, self.fetched)
        assert not page.query_selector("[data-testid='stException']"), screenshot

    def go(self, link: str, ready: str) -> None:
        self.page.get_by_role("link", name=link).click()
        self.page.wait_for_selector(f"text={ready}", timeout=60_000)
        settled(self.page)


def pdf_text_and_links(content: bytes) -> tuple[str, int]:
    """The PDF's words, with every line break and run of spaces as one space, and its link annotations."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split()), sum(len(page.get("/Annots") or []) for page in pages)


def return_of_2024(site_id: str, folder: Path, sex: str = "K") -> Path:
    """A return for 2024 of one participant (2024 has no published figures here: nothing another test reads changes)."""
    year = 2024
    return write({"verksamhet": [site_row(site_id, "0180", 2.0, year=year, site_name=HOSTILE_NAMES.get(site_id, "IPS"))],
                  "deltagare": [participant(site_id, "H1", "2024-02-01", year=year, sex=sex)],
                  "diagnoser": [diagnosis(site_id, "H1", year=year)],
                  "aktiviteter": [episode(site_id, "H1", "konkurrensutsatt_arbete", "2024-03-01", year=year)]}, folder)


def rejected_return(site_id: str, folder: Path) -> bytes:
    """A zip of the site's return for 2024 whose first participant's sex is ``CELL``: rejected, the cell quoted."""
    return_of_2024(site_id, folder, sex=CELL)
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return content.getvalue()


def test_escape_markdown_escapes_every_sign_and_nothing_else():
    """Each ASCII punctuation character gets a backslash (CommonMark's escape); letters, digits, spaces and the rest stay."""
    assert all(escape_markdown(sign) == "\\" + sign for sign in string.punctuation)
    assert escape_markdown(string.ascii_letters + string.digits + " åäö – IPS") == string.ascii_letters + string.digits + " åäö – IPS"
    assert escape_markdown("**x** [a](b) <i> :smile: $y$") == r"\*\*x\*\* \[a\]\(b\) \<i\> \:smile\: \$y\$"


@pytest.mark.browser
def test_a_site_sees_its_name_its_file_name_and_its_cell_as_text(served, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    served, _ = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        watched = Watched(page)
        sign_in(page, served, SITE_USER, PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)

        watched.go("Min verksamhet", "Verksamhetens egna siffror")
        watched.shows_as_text("site-min-verksamhet", f"{MARKDOWN_NAME} (Stockholms län), 2025")
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Verksamhetsrapport (PDF)").click()
        text, links = pdf_text_and_links(Path(download.value.path()).read_bytes())
        assert MARKDOWN_NAME in text and links == 0  # fpdf2's markdown would have made bold, italic and a link of it

        watched.go("Samhällsekonomi", "Verksamhetens egen skattning")
        watched.shows_as_text("site-samhallsekonomi", f"{MARKDOWN_NAME} (Stockholms län), 2025")

        watched.go("Lämna rapport", "Årsrapportens filer")
        page.locator("input[type='file']").set_input_files(
            {"name": FILE_NAME, "mimeType": "application/zip", "buffer": rejected_return(MARKDOWN_SITE, tmp_path / "return")})
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stFileChipName']\").length === 1", timeout=60_000)
        page.get_by_role("button", name="Kontrollera och skicka in").click()
        page.wait_for_selector("text=AVVISAD / REJECTED", timeout=60_000)
        page.get_by_text("problem, med rad och kolumn").click()  # the expander of every problem, with the values found
        page.wait_for_function("cell => [...document.querySelectorAll(\"[role='gridcell']\")].some(c => c.textContent === cell)",
                               arg=CELL, timeout=60_000)
        watched.shows_as_text("site-lamna-rapport", f"{FILE_NAME} ({MARKDOWN_SITE}, 2024): AVVISAD / REJECTED", CELL)
        b.close()


@pytest.mark.browser
def test_the_analyst_sees_every_sites_name_as_text(served, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    served, settings = served
    # submitted as the national function submits a return sent in by e-mail: rejected, its site id not registered
    assert submit(return_of_2024(UNREGISTERED, tmp_path / "unregistered"), settings).verdict == "rejected"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = browser(p, chromium)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        watched = Watched(page)
        sign_in(page, served, ANALYST, PASSWORD)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        assert f"Inloggad som {ANALYST} (analyst)" in page.inner_text("[data-testid='stSidebar']")

        watched.go("Min verksamhet", "Verksamhetens egna siffror")
        watched.shows_as_text("analyst-min-verksamhet", f"{MARKDOWN_NAME} (Stockholms län), 2025")
        page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").click()
        page.get_by_role("option", name=f"{HTML_NAME} (Uppsala län)", exact=True).click()
        page.wait_for_function("name => document.body.innerText.includes(name)", arg=f"{HTML_NAME} (Uppsala län), 2025", timeout=60_000)
        watched.shows_as_text("analyst-min-verksamhet-html", f"{HTML_NAME} (Uppsala län), 2025")

        watched.go("Verksamheter", "Varje verksamhets egna siffror")
        watched.shows_as_text("analyst-verksamheter", MARKDOWN_NAME, HTML_NAME)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Alla verksamhetsrapporter 2025 (zip med PDF)").click()
        with zipfile.ZipFile(download.value.path()) as reports:
            for site_id, name in HOSTILE_NAMES.items():
                text, links = pdf_text_and_links(reports.read(f"{site_id}_2025_rapport.pdf"))
                assert name in text and links == 0, site_id

        watched.go("Datakvalitet", "Ifyllnadsgrad per verksamhet och fält")
        watched.shows_as_text("analyst-datakvalitet", MARKDOWN_NAME, HTML_NAME)
        watched.go("Insamling", "Verksamheternas status för")
        watched.shows_as_text("analyst-insamling", f"{MARKDOWN_SITE} – {MARKDOWN_NAME}", MARKDOWN_NAME, HTML_NAME)
        page.get_by_label("Rapportår").click()
        page.get_by_role("option", name="2024", exact=True).click()
        page.wait_for_selector("text=Verksamheternas status för 2024", timeout=60_000)
        watched.shows_as_text("analyst-insamling-2024", f"inte är aktiva i registret: {UNREGISTERED}.")
        watched.go("Samhällsekonomi", "Verksamhetens egen skattning")
        watched.shows_as_text("analyst-samhallsekonomi", f"{MARKDOWN_NAME} (Stockholms län)")
        b.close()
