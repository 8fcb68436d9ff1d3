"""Län: one county's figures."""

import streamlit as st

from dashboards import queries
from dashboards.ui import headline_metrics, load, require_published, year_picker

st.title("Län")
database = require_published()
if database is not None:
    year = year_picker(database)
    names = queries.county_names()
    counties = load("by_county", database, year).get_column("Län").to_list()
    chosen = st.selectbox("Välj län", counties, key="county")
    headline_metrics(database, year, next(code for code, name in names.items() if name == chosen))
