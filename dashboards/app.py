"""The IPS monitoring dashboard: national and county figures, protected."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import streamlit as st

from dashboards import queries
from pipelines.settings import HOME_ENV, load_settings

st.set_page_config(page_title="IPS i Sverige – nationell uppföljning", page_icon=":material/monitoring:", layout="wide")


def published_database() -> Path | None:
    path = load_settings(os.environ.get(HOME_ENV)).published_path
    return path if path.exists() else None


@st.cache_data(show_spinner=False)
def cached(name: str, database: str, modified: float, *args):
    """Queries are cached per snapshot: a new run swaps the file and changes its time."""
    return getattr(queries, name)(Path(database), *args)


def load(name: str, database: Path, *args):
    return cached(name, str(database), database.stat().st_mtime, *args)


def national_page() -> None:
    database = published_database()
    st.title("IPS i Sverige – nationell uppföljning")
    if database is None:
        st.info("Inga publicerade siffror ännu. Kör `ips-monitor run` när verksamheternas rapporter har kommit in.")
        return
    years = load("years", database)
    year = st.sidebar.selectbox("År", years, index=0)
    st.caption(f"Individanpassat stöd till arbete (IPS). År {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.")

    figures = load("headline", database, year)
    names = queries.indicator_names()
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(names[code], queries.display_value(value, code))

    left, right = st.columns(2)
    with left:
        st.subheader("Andel i konkurrensutsatt arbete per kvartal")
        series = load("trend", database, "EMP_COMP_RATE", "Q").to_pandas()
        chart = alt.Chart(series).mark_line(point=True).encode(
            x=alt.X("period:N", title="Kvartal"), y=alt.Y("value:Q", title="Procent"),
            tooltip=[alt.Tooltip("period:N", title="Kvartal"), alt.Tooltip("value:Q", title="Procent")])
        st.altair_chart(chart, width="stretch")
    with right:
        st.subheader("Per län")
        rates = load("county_rate", database, year, "EMP_COMP_RATE").to_pandas()
        bars = alt.Chart(rates).mark_bar().encode(
            y=alt.Y("county:N", sort="-x", title=None), x=alt.X("value:Q", title="Andel i konkurrensutsatt arbete (%)"),
            tooltip=[alt.Tooltip("county:N", title="Län"), alt.Tooltip("value:Q", title="Procent")])
        st.altair_chart(bars, width="stretch")

    st.subheader("Län")
    st.dataframe(load("by_county", database, year), hide_index=True, width="stretch")

    st.subheader("Fördelning")
    tabs = st.tabs(["Kön", "Ålder", "Diagnos"])
    for tab, dimension in zip(tabs, ("sex", "age", "diagnosis")):
        tab.dataframe(load("breakdown", database, year, dimension), hide_index=True, width="stretch")


def county_page() -> None:
    database = published_database()
    st.title("Län")
    if database is None:
        st.info("Inga publicerade siffror ännu.")
        return
    years = load("years", database)
    year = st.sidebar.selectbox("År", years, index=0, key="county_year")
    names = queries.county_names()
    table = load("by_county", database, year)
    chosen = st.selectbox("Län", table.get_column("Län").to_list())
    area = next(code for code, name in names.items() if name == chosen)
    figures = load("headline", database, year, area)
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(queries.indicator_names()[code], queries.display_value(value, code))


pages = st.navigation([
    st.Page(national_page, title="Nationellt", icon=":material/flag:", url_path="nationellt", default=True),
    st.Page(county_page, title="Län", icon=":material/map:", url_path="lan"),
])
pages.run()
