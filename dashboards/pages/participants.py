"""Deltagare: who the participants are and how they fare, by sex, age, diagnosis, time in the programme and income."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.downloads import cell_value
from dashboards.ui import load, page_context, show_table


def bar_chart(table: pl.DataFrame, label: str, value: str) -> None:
    """Bars of one column of a display table (withheld cells marked, never drawn as zero), with the table below."""
    data = pl.DataFrame({"group": table.get_column(label),
                         "shown": table.get_column(value),
                         "value": [v if isinstance(v := cell_value(s), (int, float)) else None for s in table.get_column(value)]})
    data = data.with_columns(pl.col("value").fill_null(0).alias("bar"),
                             pl.when(pl.col("value").is_null()).then(pl.col("shown") + " undertryckt").otherwise(pl.col("shown")).alias("label"))
    bars = alt.Chart(data.to_pandas()).mark_bar(color="#1f4e79").encode(
        y=alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)), x=alt.X("bar:Q", title=value),
        tooltip=[alt.Tooltip("group:N", title=label), alt.Tooltip("label:N", title=value)])
    st.altair_chart((bars + bars.mark_text(align="left", dx=4, color="#222222").encode(text="label:N"))
                    .properties(height=alt.Step(26)), width="stretch")


st.title("Deltagare")
page = page_context()
if page is not None:
    year = page.year
    st.caption(f"Deltagare inskrivna någon gång under {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.")
    rate = queries.indicator_names()["EMP_COMP_RATE"]
    for heading, dimension in (("Diagnos (primär, enligt hierarkin)", "diagnosis"), ("Kön", "sex"), ("Ålder", "age")):
        st.subheader(heading)
        table = load(queries.breakdown, page.reader, year, dimension)
        left, right = st.columns(2)
        with left:
            bar_chart(table, "Grupp", queries.indicator_names()["PARTICIPANTS"])
        with right:
            bar_chart(table, "Grupp", rate)
        show_table(table, f"{dimension}_{year}")
    st.subheader("Tid i programmet")
    tenure = load(queries.time_in_programme, page.reader, year)
    bar_chart(tenure, "Tid i programmet", tenure.columns[2])
    show_table(tenure, f"tid_i_programmet_{year}")
    st.subheader("Inkomstkällor vid start och vid uppföljning")
    income = load(queries.income_sources, page.reader, year)
    left, right = st.columns(2)
    with left:
        bar_chart(income, "Inkomstkälla", "Vid start")
    with right:
        bar_chart(income, "Inkomstkälla", "Vid uppföljning")
    show_table(income, f"inkomstkallor_{year}")
    st.caption("Andel av deltagarna med uppgift vid tillfället; en person kan ha flera inkomstkällor.")
