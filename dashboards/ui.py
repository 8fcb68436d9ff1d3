"""What every page shares: the signed-in reader, the snapshots, the chosen year, cached queries, the headline row."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import polars as pl
import streamlit as st

from dashboards import downloads, queries
from pipelines.access.roles import Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.publishing.wide import SUPPRESSED
from pipelines.settings import load_settings

T = TypeVar("T")
READER = "reader"  # session state: the signed-in Reader
YEAR = "year"  # session state: the chosen year, kept across pages


def snapshots() -> Snapshots:
    return Snapshots.of(load_settings())


@st.cache_data(show_spinner=False)
def _cached(_query: Callable[..., Any], name: str, snapshots: Snapshots, version: tuple[float, float], reader: Reader,
            *args: Any) -> Any:
    """Cached per query, snapshot and reader (``name`` stands for the query, which is not hashed): a new run
    swaps a snapshot in and so changes its version."""
    return _query(snapshots, reader, *args)


def load(query: Callable[..., T], reader: Reader, *args: Any) -> T:
    """``query(snapshots, reader, *args)``, cached."""
    current = snapshots()
    result: T = _cached(query, f"{query.__module__}.{query.__qualname__}", current, current.version(), reader, *args)
    return result


@dataclass(frozen=True)
class Page:
    """What a page draws for: the reader and the year chosen in the sidebar."""

    reader: Reader
    year: int


PAGE_NOT_FOR_YOU = {
    (Role.SITE, Role.ANALYST): "Sidan är för verksamheterna och den nationella stödfunktionen. / "
                               "This page is for the sites and the national function.",
    (Role.ANALYST,): "Sidan är för den nationella stödfunktionen. / This page is for the national support function.",
}


def page_context(roles: tuple[Role, ...] = (Role.VIEWER, Role.SITE, Role.ANALYST)) -> Page | None:
    """The reader and year, or None (with a word to the reader) when the page is not for the reader's role or
    there is nothing to show yet."""
    reader: Reader | None = st.session_state.get(READER)
    if reader is None:  # only reached by running a page file on its own: the app's navigation asks for sign-in first
        st.stop()
    if reader.role not in roles:
        st.error(PAGE_NOT_FOR_YOU[roles])
        return None
    if YEAR not in st.session_state:
        year_picker(reader)
    if not snapshots().published.exists() or not load(queries.years, reader):
        st.info("Inga publicerade siffror ännu. Kör `ips-monitor run` när verksamheternas rapporter har kommit in och godkänts.")
        return None
    return Page(reader, st.session_state[YEAR])


def year_picker(reader: Reader) -> None:
    """The year, chosen once in the sidebar and kept when moving between pages."""
    years = load(queries.years, reader) if snapshots().published.exists() else []
    if not years:
        return
    if st.session_state.get(YEAR) not in years:
        st.session_state[YEAR] = years[0]
    st.sidebar.selectbox("År", years, key=YEAR)


def link_to_page(page: str, label: str, icon: str) -> None:
    """A link to another page of the app; left out when a page runs on its own (as in a page's AppTest)."""
    from streamlit.errors import StreamlitAPIException

    with contextlib.suppress(StreamlitAPIException):
        st.page_link(page, label=label, icon=icon)


def table_height(frame: pl.DataFrame) -> int:
    """Room for the header and every row, so that no row hides behind the table's own scroll bar."""
    return min(36 * (frame.height + 1) + 12, 2400)


def show_table(frame: pl.DataFrame, name: str) -> None:
    """A table with every row on screen, numbers to the right, and its data to download as XLSX or CSV."""
    numeric = [c for c in frame.columns if frame.height and all(isinstance(downloads.cell_value(v), (int, float)) or v == SUPPRESSED
                                                                 for v in frame.get_column(c).to_list())]
    config = {c: st.column_config.TextColumn(alignment="right") for c in numeric}
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(frame), column_config=config)
    xlsx, csv = st.columns([1, 1, 6])[:2]
    # the files are made when a button is clicked, not on every rerun of the page
    xlsx.download_button("XLSX", partial(downloads.xlsx_bytes, frame, name[:31]), file_name=f"{name}.xlsx", icon=":material/download:",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx-{name}")
    csv.download_button("CSV", partial(downloads.csv_bytes, frame), file_name=f"{name}.csv", mime="text/csv", icon=":material/download:",
                        key=f"csv-{name}")


def headline_metrics(page: Page, ref_area: str = "SE") -> None:
    """The headline figures of the year, each with its change from the year before where both are published."""
    figures = load(queries.headline, page.reader, page.year, ref_area)
    before = load(queries.headline, page.reader, page.year - 1, ref_area)
    names = queries.indicator_names()
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(names[code], queries.display_value(value, code, code in figures),
                      delta=queries.change_text(value, before.get(code, (None, "F"))[0], code), delta_color="off")
