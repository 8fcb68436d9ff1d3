"""What every page shares: the signed-in reader, the snapshots, the chosen year, cached queries, the headline row."""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import polars as pl
import streamlit as st

from dashboards import charts, downloads, queries
from dashboards.language import Language
from pipelines import audit
from pipelines.access.messages import Message
from pipelines.access.roles import Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.publishing.wide import SUPPRESSED
from pipelines.settings import load_settings

T = TypeVar("T")
READER = "reader"  # session state: the signed-in Reader
YEAR = "year"  # session state: the chosen year, kept across pages
LANGUAGE = "language"  # session state: the reader's language, Swedish until the reader picks English
CHOSEN_LANGUAGE = "language_switch"  # the switch's own state
# Every ASCII punctuation character: CommonMark lets a backslash escape each, and Streamlit's own Markdown signs (emoji
# and icon :codes:, :colour[text], $maths$) are made of them too.
_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")


def language() -> Language:
    return Language(st.session_state.get(LANGUAGE, Language.SV))


def say(sv: str, en: str) -> str:
    """The text in the reader's language."""
    return language().say(sv, en)


def escape_markdown(text: str) -> str:
    """``text`` escaped for Streamlit's Markdown, so that it shows as it stands: for words the dashboard does not write
    itself (a site's name, a file's name, a user name) set inside an element that renders Markdown (``st.markdown``,
    captions, alerts, labels, button text). Alone, such words go in ``st.text`` or a table's cell, which render nothing."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text)


def declare_language() -> None:
    """The page's language on its <html> element (Streamlit's says English), so that a screen reader reads Swedish
    with a Swedish voice (WCAG 3.1.1)."""
    st.html(f"<script>document.documentElement.lang = '{language()}';</script>", unsafe_allow_javascript=True)


def language_switch(where: Any = st.sidebar) -> None:
    """Svenska / English, kept for the session (also across signing in). The choice is copied out of the widget's
    own state, which Streamlit drops whenever the widget is not drawn."""

    def keep_choice() -> None:
        st.session_state[LANGUAGE] = st.session_state[CHOSEN_LANGUAGE]

    where.segmented_control("Språk / Language", list(Language), default=language(), format_func=lambda chosen: Language(chosen).label,
                            key=CHOSEN_LANGUAGE, required=True, on_change=keep_choice)


def snapshots() -> Snapshots:
    return Snapshots.of(load_settings())


@st.cache_data(show_spinner=False)
def _cached(_query: Callable[..., Any], name: str, snapshots: Snapshots, version: tuple[float, float], reader: Reader,
            *args: Any, **kwargs: Any) -> Any:
    """Cached per query, snapshot and reader (``name`` stands for the query, which is not hashed): a new run
    swaps a snapshot in and so changes its version."""
    return _query(snapshots, reader, *args, **kwargs)


def load(query: Callable[..., T], reader: Reader, *args: Any, **kwargs: Any) -> T:
    """``query(snapshots, reader, *args, **kwargs)``, cached. An analyst's reading of one site's figures is recorded in
    the audit log whether the answer comes from the cache or not (``audit.record_site_opened``, at most once in a while)."""
    current = snapshots()
    site_id = inspect.signature(query).bind(current, reader, *args, **kwargs).arguments.get("site_id")
    if site_id is not None:
        audit.record_site_opened(load_settings(), reader, site_id)
    result: T = _cached(query, f"{query.__module__}.{query.__qualname__}", current, current.version(), reader, *args, **kwargs)
    return result


@dataclass(frozen=True)
class Page:
    """What a page draws for: the reader, the year chosen in the sidebar and the reader's language."""

    reader: Reader
    year: int
    language: Language


PAGE_NOT_FOR_YOU = {
    (Role.SITE,): Message("Sidan är för verksamheterna.", "This page is for the sites."),
    (Role.SITE, Role.ANALYST): Message("Sidan är för verksamheterna och den nationella stödfunktionen.",
                                       "This page is for the sites and the national support function."),
    (Role.ANALYST,): Message("Sidan är för den nationella stödfunktionen.", "This page is for the national support function."),
}


def page_reader(roles: tuple[Role, ...] = (Role.VIEWER, Role.SITE, Role.ANALYST)) -> Reader | None:
    """The signed-in reader, or None (with a word to the reader) when the page is not for the reader's role."""
    reader: Reader | None = st.session_state.get(READER)
    if reader is None:  # only reached by running a page file on its own: the app's navigation asks for sign-in first
        st.stop()
    if reader.role not in roles:
        st.error(str(PAGE_NOT_FOR_YOU[roles]))  # both languages, as every refusal
        return None
    return reader


def page_context(roles: tuple[Role, ...] = (Role.VIEWER, Role.SITE, Role.ANALYST)) -> Page | None:
    """The reader and year, or None (with a word to the reader) when the page is not for the reader's role or
    there is nothing to show yet."""
    reader = page_reader(roles)
    if reader is None:
        return None
    if YEAR not in st.session_state:
        year_picker(reader)
    if not snapshots().published.exists() or not load(queries.years, reader):
        st.info(say("Inga publicerade siffror ännu. Kör `ips-monitor run` när verksamheternas rapporter har kommit in och godkänts.",
                    "No published figures yet. Run `ips-monitor run` once the sites' returns have come in and been accepted."))
        return None
    return Page(reader, st.session_state[YEAR], language())


def year_picker(reader: Reader) -> None:
    """The year, chosen once in the sidebar and kept when moving between pages."""
    years = load(queries.years, reader) if snapshots().published.exists() else []
    if not years:
        return
    if st.session_state.get(YEAR) not in years:
        st.session_state[YEAR] = years[0]
    st.sidebar.selectbox(say("År", "Year"), years, key=YEAR)


def link_to_page(page: str, label: str, icon: str) -> None:
    """A link to another page of the app; left out when a page runs on its own (as in a page's AppTest)."""
    from streamlit.errors import StreamlitAPIException

    with contextlib.suppress(StreamlitAPIException):
        st.page_link(page, label=label, icon=icon)


def table_height(frame: pl.DataFrame) -> int:
    """Room for the header and every row, so that no row hides behind the table's own scroll bar."""
    return min(36 * (frame.height + 1) + 12, 2400)


def show_table(frame: pl.DataFrame, name: str) -> None:
    """A table of display text with every row on screen, numbers to the right, and its data to download as XLSX or CSV."""
    numeric = [c for c in frame.columns if frame.height and all(isinstance(downloads.cell_value(v), (int, float)) or v == SUPPRESSED
                                                                 for v in frame.get_column(c).to_list())]
    config = {c: st.column_config.TextColumn(alignment="right" if c in numeric else None, width=text_width(frame, c)) for c in frame.columns}
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(frame), column_config=config)
    download_buttons(frame, name)


def text_width(frame: pl.DataFrame, column: str) -> int:
    """Pixels for a column wide enough for its heading and longest entry, so that no label is cut short."""
    longest = max(len(str(v)) for v in [column, *frame.get_column(column).to_list()])
    return min(7 * longest + 24, 640)


def show_sortable_table(frame: pl.DataFrame, name: str, indicators: dict[str, str]) -> None:
    """A table whose figures stay numbers, so that clicking a heading sorts them as numbers, yet are shown as every
    other figure is (``indicators``: column -> indicator code, whose unit and decimals the column takes)."""
    styled = frame.to_pandas().style.format(
        {column: partial(queries.display_value, indicator_code=code, language=language()) for column, code in indicators.items()},
        na_rep=queries.MISSING[language()])
    st.dataframe(styled, hide_index=True, width="stretch", height=table_height(frame))
    download_buttons(frame, name)


def show_chart(chart: Any, description: str, data: pl.DataFrame | None = None, name: str = "") -> None:
    """A chart with numbers in the Swedish format, described in words for those who cannot see it, and the figures
    it draws to download (``data``; None when the chart draws a table shown with it, whose buttons serve both)."""
    st.altair_chart(chart.configure(locale=charts.SWEDISH_NUMBERS), width="stretch", alt=description)
    if data is not None:
        download_buttons(data, name, say("Diagrammets siffror", "The chart's figures"))


def recorded(make: Callable[[], bytes], file_name: str, site_id: str | None = None, year: int | None = None) -> Callable[[], bytes]:
    """A download button's data, made when clicked and recorded then in the audit log as taken by the signed-in reader."""
    return downloads.recorded(make, load_settings(), st.session_state[READER], file_name, site_id=site_id, year=year)


def download_buttons(frame: pl.DataFrame, name: str, label: str = "") -> None:
    """XLSX and CSV (Swedish Excel dialect) of the frame; the files are made when a button is clicked, not on every
    rerun of the page, and a click runs nothing else (``on_click="ignore"``: no rerun of the page)."""
    row = st.container(horizontal=True)
    prefix = f"{label}: " if label else ""
    row.download_button(f"{prefix}XLSX", recorded(partial(downloads.xlsx_bytes, frame, name[:31]), f"{name}.xlsx"), file_name=f"{name}.xlsx",
                         icon=":material/download:", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key=f"xlsx-{name}", on_click="ignore")
    row.download_button(f"{prefix}CSV", recorded(partial(downloads.csv_bytes, frame), f"{name}.csv"), file_name=f"{name}.csv", mime="text/csv",
                        icon=":material/download:", key=f"csv-{name}", on_click="ignore")


def headline_metrics(page: Page, ref_area: str = "SE") -> None:
    """The headline figures of the year, each with its change from the year before where both are published."""
    figures = load(queries.headline, page.reader, page.year, ref_area)
    before = load(queries.headline, page.reader, page.year - 1, ref_area)
    names = queries.indicator_names(page.language)
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(names[code], queries.display_value(value, code, code in figures, page.language),
                      delta=queries.change_text(value, before.get(code, (None, "F"))[0], code, page.language), delta_color="off")
