"""Datakvalitet: which returns came in, which were rejected and why, and how complete the accepted ones are."""

import streamlit as st

from dashboards import queries
from dashboards.ui import load, page_context, show_table
from pipelines.access.roles import Role

st.title("Datakvalitet")
page = page_context(roles=(Role.ANALYST,))
if page is not None:
    st.subheader(f"Inlämnade rapporter för {page.year}")
    show_table(load(queries.returns_register, page.reader, page.year), f"inlamnade_{page.year}")
    st.subheader("Vanligaste felen i avvisade rapporter")
    broken = load(queries.rules_broken, page.reader, page.year)
    if broken.is_empty():
        st.caption("Inga avvisade rapporter för året.")
    else:
        show_table(broken, f"fel_{page.year}")
    st.subheader("Ifyllnadsgrad per verksamhet och fält")
    st.caption("Andel rader där det frivilliga fältet är ifyllt; de obligatoriska är alltid ifyllda i en godkänd rapport.")
    show_table(load(queries.completeness, page.reader, page.year), f"ifyllnadsgrad_{page.year}")
