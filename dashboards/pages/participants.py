"""Deltagare: who the participants are and how they fare, by sex, age, diagnosis, time in the programme and income."""

import polars as pl
import streamlit as st

from dashboards import charts, queries
from dashboards.ui import language, load, page_context, say, show_chart, show_table


def bars_of(table: pl.DataFrame, value: str) -> None:
    """One column of a display table as bars, described in words; the table follows, with its downloads."""
    label = table.columns[0]
    show_chart(charts.display_bars(table, label, value, language()), charts.bars_description(table, label, value, language()))


st.title(say("Deltagare", "Participants"))
page = page_context()
if page is not None:
    year = page.year
    st.caption(say(f"Deltagare inskrivna någon gång under {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.",
                   f"Participants enrolled at some time in {year}. Small numbers are withheld ({queries.SUPPRESSED}) to protect individuals."))
    names = queries.indicator_names(language())
    for heading, dimension in ((say("Diagnos (primär, enligt hierarkin)", "Diagnosis (primary, by the hierarchy)"), "diagnosis"),
                               (say("Kön", "Sex"), "sex"), (say("Ålder", "Age"), "age")):
        st.subheader(heading)
        table = load(queries.breakdown, page.reader, year, dimension, language=language())
        for tab, code in zip(st.tabs([names[code] for code in queries.BREAKDOWN]), queries.BREAKDOWN):
            with tab:
                bars_of(table, names[code])
        show_table(table, f"{dimension}_{year}")
    st.caption(say("Starkare arbetsmarknadsanknytning: bland dem med känd anknytning både vid start och vid uppföljning "
                   "(mycket svag, ganska svag, ganska stark, mycket stark).",
                   "Stronger labour-market attachment: among those whose attachment is known both at intake and at follow-up "
                   "(very weak, fairly weak, fairly strong, very strong)."))
    st.subheader(say("Tid i programmet", "Time in programme"))
    tenure = load(queries.time_in_programme, page.reader, year, language=language())
    left, right = st.columns(2)
    for column, value in zip((left, right), tenure.columns[1:]):
        with column:
            bars_of(tenure, value)
    show_table(tenure, f"tid_i_programmet_{year}")
    st.subheader(say("Inkomstkällor vid start och vid uppföljning", "Income sources at intake and at follow-up"))
    income = load(queries.income_sources, page.reader, year, language=language())
    left, right = st.columns(2)
    for column, value in zip((left, right), income.columns[1:]):
        with column:
            bars_of(income, value)
    show_table(income, f"inkomstkallor_{year}")
    st.caption(say("Andel av deltagarna med uppgift vid tillfället; en person kan ha flera inkomstkällor.",
                   "Share of the participants with information at that moment; a person may have several income sources."))
