"""Programtrohet: how faithful the sites are to IPS, where they are weakest, and how it relates to results."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.ui import load, page_context, show_table

st.title("Programtrohet")
page = page_context()
if page is not None:
    year = page.year
    st.caption("Senaste granskningen per verksamhet under året, enligt IPS-skalan med 25 item (25–125 poäng).")
    left, right = st.columns(2)
    with left:
        st.subheader("Verksamheter per nivå")
        bands = load(queries.fidelity_bands, page.reader, year).to_pandas()
        st.altair_chart(alt.Chart(bands).mark_bar().encode(
            x=alt.X("band:N", sort=None, title=None), y=alt.Y("sites:Q", title="Verksamheter"),
            tooltip=[alt.Tooltip("band:N", title="Nivå"), alt.Tooltip("sites:Q", title="Verksamheter")]), width="stretch")
    with right:
        st.subheader("Programtrohet och andel i arbete")
        relation = load(queries.fidelity_and_employment, page.reader, year)
        st.altair_chart(alt.Chart(relation.points.to_pandas()).mark_circle(size=80).encode(
            x=alt.X("fidelity_score:Q", title="Programtrohet (poäng)", scale=alt.Scale(zero=False)),
            y=alt.Y("emp_comp_rate:Q", title="Andel i konkurrensutsatt arbete (%)"),
            tooltip=[alt.Tooltip("fidelity_score:Q", title="Poäng"), alt.Tooltip("emp_comp_rate:Q", title="Procent", format=".1f")]),
            width="stretch")
        said = f"{relation.sites_shown} verksamheter visas"
        if relation.sites_withheld:
            said += f"; {relation.sites_withheld} är utelämnade eftersom deras andel är undertryckt för att skydda enskilda"
        if relation.correlation is not None:
            correlation = f"{relation.correlation:.2f}".replace(".", ",")
            said += f". Korrelation (Pearson) mellan poäng och andel i arbete: {correlation}"
        st.caption(said + ".")
    st.subheader("Item, svagast först")
    items = load(queries.fidelity_items, page.reader, year)
    show_table(items.with_columns(items["mean_score"].map_elements(lambda v: f"{v:.1f}".replace(".", ","), return_dtype=pl.String))
               .rename({"item": "Item", "mean_score": "Medelvärde (1–5)", "weakest_rank": "Rang"}), f"programtrohet_item_{year}")
