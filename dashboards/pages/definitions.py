"""Definitioner: what each indicator counts, and how small numbers are protected."""

import streamlit as st

from dashboards import queries
from dashboards.ui import show_table
from pipelines.publishing.disclosure import rules_in_both_languages
from pipelines.settings import load_settings

st.title("Definitioner")
st.caption("Indikatorerna enligt den nationella indikatorkatalogen (docs/indicators.md).")
show_table(queries.indicator_definitions(), "definitioner")
st.subheader("Röjandeskydd")
st.write(rules_in_both_languages(load_settings().suppression_threshold).split(" / ")[0])
