"""Programtrohet: how faithful the sites are to IPS, where they are weakest, and how it relates to results."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.ui import load, require_published, year_picker

st.title("Programtrohet")
database = require_published()
if database is not None:
    year = year_picker(database)
    st.caption("Senaste granskningen per verksamhet under året, enligt IPS-skalan med 25 item (25–125 poäng).")
    left, right = st.columns(2)
    with left:
        st.subheader("Verksamheter per nivå")
        bands = load(queries.fidelity_bands, database, year).to_pandas()
        st.altair_chart(alt.Chart(bands).mark_bar().encode(
            x=alt.X("band:N", sort=None, title=None), y=alt.Y("sites:Q", title="Verksamheter"),
            tooltip=[alt.Tooltip("band:N", title="Nivå"), alt.Tooltip("sites:Q", title="Verksamheter")]), width="stretch")
    with right:
        st.subheader("Programtrohet och andel i arbete")
        points, correlation = load(queries.fidelity_and_employment, database, year)
        st.altair_chart(alt.Chart(points.drop_nulls("emp_comp_rate").to_pandas()).mark_circle(size=80).encode(
            x=alt.X("fidelity_score:Q", title="Programtrohet (poäng)", scale=alt.Scale(zero=False)),
            y=alt.Y("emp_comp_rate:Q", title="Andel i konkurrensutsatt arbete (%)"),
            tooltip=[alt.Tooltip("site_name:N", title="Verksamhet"), alt.Tooltip("fidelity_score:Q", title="Poäng"),
                     alt.Tooltip("emp_comp_rate:Q", title="Procent")]), width="stretch")
        if correlation is not None:
            st.caption(f"Korrelation (Pearson) mellan poäng och andel i arbete: {correlation:.2f}".replace(".", ","))
    st.subheader("Item, svagast först")
    items = load(queries.fidelity_items, database, year)
    st.dataframe(items.with_columns(items["mean_score"].map_elements(lambda v: f"{v:.1f}".replace(".", ","), return_dtype=pl.String))
                 .rename({"item": "Item", "mean_score": "Medelvärde (1–5)", "weakest_rank": "Rang"}), hide_index=True, width="stretch")
