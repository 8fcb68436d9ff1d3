"""Min verksamhet: a site's own figures, unprotected, beside its county's and the nation's protected ones."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.funnel_chart import funnel_chart
from dashboards.ui import load, page_context, show_table
from pipelines.access.roles import Role

st.title("Min verksamhet")
page = page_context(roles=(Role.SITE, Role.ANALYST))
if page is not None:
    choices = load(queries.site_choices, page.reader, page.year)
    if not choices:
        st.info("Verksamheten har ingen godkänd rapport för året.")
    else:
        requested = st.query_params.get("site")
        if requested is not None and requested not in choices:
            st.error("Du kan inte se den verksamhetens siffror. / You may not see that site's figures.")
            st.stop()
        if page.reader.role == Role.ANALYST:
            ids = list(choices)
            site_id = st.selectbox("Verksamhet", ids, index=ids.index(requested) if requested else 0, format_func=choices.__getitem__)
        else:
            site_id = next(iter(choices))
        st.text(f"{choices[site_id]}, {page.year}")  # as text: a site's name is the site's own words
        st.caption("Verksamhetens egna siffror visas utan undertryckning; länets och rikets är skyddade (–) som i all publicering.")
        show_table(load(queries.site_figures, page.reader, site_id, page.year), f"{site_id}_{page.year}")
        st.subheader("Andel i konkurrensutsatt arbete per kvartal")
        series = load(queries.site_trend, page.reader, site_id).to_pandas()
        st.altair_chart(alt.Chart(series).mark_line(point=True).encode(
            x=alt.X("period:N", title="Kvartal"), y=alt.Y("value:Q", title="Procent"),
            color=alt.Color("series:N", title=None),
            tooltip=[alt.Tooltip("series:N", title="Serie"), alt.Tooltip("period:N", title="Kvartal"),
                     alt.Tooltip("value:Q", title="Procent", format=".1f")]), width="stretch")
        st.subheader("Plats i trattdiagrammet")
        funnel = load(queries.funnel, page.reader, page.year)
        st.altair_chart(funnel_chart(queries.Funnel(funnel.points.filter(site_id=site_id), funnel.national_rate)), width="stretch")
        st.caption("Verksamhetens andel i arbete mot antal deltagare, med rikets andel (orange) och 95 % och 99,8 % "
                   "kontrollgränser (streckat): innanför gränserna skiljer sig verksamheten inte från riket mer än slumpen förklarar.")
        st.subheader("Programtrohet per item, mot riket")
        profile = load(queries.site_fidelity_profile, page.reader, site_id, page.year)
        if profile.is_empty():
            st.caption("Ingen granskning av programtroheten under året.")
        else:
            long = profile.unpivot(["site_score", "national_mean"], index="item", variable_name="series", value_name="score").with_columns(
                pl.col("series").replace_strict({"site_score": "Verksamheten", "national_mean": "Riket (medelvärde)"}))
            st.altair_chart(alt.Chart(long.to_pandas()).mark_point(filled=True, size=70).encode(
                y=alt.Y("item:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
                x=alt.X("score:Q", title="Poäng (1–5)", scale=alt.Scale(domain=[1, 5])),
                color=alt.Color("series:N", title=None), shape=alt.Shape("series:N", title=None),
                tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("series:N", title="Serie"),
                         alt.Tooltip("score:Q", title="Poäng", format=".1f")]).properties(height=alt.Step(18)), width="stretch")
