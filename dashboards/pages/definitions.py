"""Definitioner: what each indicator counts, and how small numbers are protected."""

import streamlit as st

from dashboards import queries
from dashboards.ui import language, say, show_table
from pipelines.publishing.disclosure import rules_in_both_languages
from pipelines.settings import load_settings

st.title(say("Definitioner", "Definitions"))
st.caption(say("Indikatorerna enligt den nationella indikatorkatalogen (docs/indicators.md).",
               "The indicators as the national indicator catalogue defines them (docs/indicators.md)."))
show_table(queries.indicator_definitions(language()), "definitioner")
st.subheader(say("Röjandeskydd", "Disclosure control"))
swedish, english = rules_in_both_languages(load_settings().suppression_threshold).split(" / ")
st.write(say(swedish, english))
