"""Nationellt: the year's national figures, the quarterly trend, counties and breakdowns."""

import altair as alt
import streamlit as st

from dashboards import queries
from dashboards.ui import headline_metrics, load, page_context, show_table

st.title("IPS i Sverige – nationell uppföljning")
page = page_context()
if page is not None:
    year = page.year
    st.caption(f"Individanpassat stöd till arbete (IPS), {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.")
    headline_metrics(page)

    left, right = st.columns(2)
    with left:
        st.subheader("Andel i konkurrensutsatt arbete per kvartal")
        series = load(queries.trend, page.reader, "EMP_COMP_RATE", "Q").to_pandas()
        st.altair_chart(alt.Chart(series).mark_line(point=True).encode(
            x=alt.X("period:N", title="Kvartal"), y=alt.Y("value:Q", title="Procent"),
            tooltip=[alt.Tooltip("period:N", title="Kvartal"), alt.Tooltip("value:Q", title="Procent")]), width="stretch")
    with right:
        st.subheader("Per län")
        rates = load(queries.county_rate, page.reader, year, "EMP_COMP_RATE").to_pandas()
        st.altair_chart(alt.Chart(rates).mark_bar().encode(
            y=alt.Y("county:N", sort="-x", title=None), x=alt.X("value:Q", title="Andel i konkurrensutsatt arbete (%)"),
            tooltip=[alt.Tooltip("county:N", title="Län"), alt.Tooltip("value:Q", title="Procent")]), width="stretch")

    st.subheader("Län")
    show_table(load(queries.by_county, page.reader, year), f"lan_{year}")

    st.subheader("Fördelning")
    tabs = st.tabs(["Kön", "Ålder", "Diagnos", "Tid i programmet", "Inkomstkällor"])
    for tab, dimension in zip(tabs, ("sex", "age", "diagnosis")):
        with tab:
            show_table(load(queries.breakdown, page.reader, year, dimension), f"{dimension}_{year}")
    with tabs[3]:
        show_table(load(queries.time_in_programme, page.reader, year), f"tid_i_programmet_{year}")
    with tabs[4]:
        show_table(load(queries.income_sources, page.reader, year), f"inkomstkallor_{year}")
    tabs[4].caption("Andel av deltagarna med uppgift vid tillfället; en person kan ha flera inkomstkällor.")
