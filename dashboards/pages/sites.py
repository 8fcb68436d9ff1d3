"""Verksamheter: every site's own figures in one sortable table, and the funnel plot. For the national function."""

import streamlit as st

from dashboards import queries
from dashboards.funnel_chart import funnel_chart
from dashboards.ui import load, page_context, table_height
from pipelines.access.roles import Role

st.title("Verksamheter")
page = page_context(roles=(Role.ANALYST,))
if page is not None:
    st.caption(f"Varje verksamhets egna siffror {page.year}, utan undertryckning. Klicka på en rubrik för att sortera.")
    table = load(queries.all_sites, page.reader, page.year)
    percent = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(table, hide_index=True, width="stretch", height=table_height(table),
                 column_config={name: percent for name in table.columns[3:]})
    st.subheader("Andel i arbete mot antal deltagare (trattdiagram)")
    funnel = load(queries.funnel, page.reader, page.year)
    st.altair_chart(funnel_chart(funnel), width="stretch")
    if funnel.national_rate is not None:
        national = queries.display_value(funnel.national_rate, "EMP_COMP_RATE")
        st.caption(f"Orange linje: riket, {national}. Streckat: 95 % och 99,8 % kontrollgränser. En verksamhet utanför gränserna "
                   "skiljer sig från riket mer än slumpen förklarar; innanför gör den inte det, hur den än ser ut.")
