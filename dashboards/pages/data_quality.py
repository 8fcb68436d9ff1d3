"""Datakvalitet: which returns came in, which were rejected and why, and how complete the accepted ones are."""

import streamlit as st

from dashboards import queries
from dashboards.ui import load, page_context, say, show_table
from pipelines.access.roles import Role

st.title(say("Datakvalitet", "Data quality"))
page = page_context(roles=(Role.ANALYST,))
if page is not None:
    year, language = page.year, page.language
    st.subheader(say(f"Inlämnade rapporter för {year}", f"Returns submitted for {year}"))
    show_table(load(queries.returns_register, page.reader, year, language=language), f"inlamnade_{year}")
    st.subheader(say("Vanligaste felen i avvisade rapporter", "The most common problems in rejected returns"))
    broken = load(queries.rules_broken, page.reader, year, language=language)
    if broken.is_empty():
        st.caption(say("Inga avvisade rapporter för året.", "No rejected returns for the year."))
    else:
        show_table(broken, f"fel_{year}")
    st.subheader(say("Ifyllnadsgrad per verksamhet och fält", "Completeness by site and field"))
    st.caption(say("Andel rader där det frivilliga fältet är ifyllt; de obligatoriska är alltid ifyllda i en godkänd rapport.",
                   "The share of rows where the optional field is filled in; the required ones always are in an accepted return."))
    show_table(load(queries.completeness, page.reader, year, language=language), f"ifyllnadsgrad_{year}")
