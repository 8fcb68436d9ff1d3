"""Regioner: the counties on a map beside sorted bars (withheld ones marked), coverage, and one county's figures."""

import json

import altair as alt
import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.ui import headline_metrics, load, page_context, show_table
from seeds.reference_data import REFERENCE_DIR


@st.cache_data(show_spinner=False)
def county_outlines() -> list[dict]:
    """The county polygons, rings reversed: the file winds them as GeoJSON's RFC 7946 says, while Vega's
    d3-geo takes that winding as 'everything but the county' and fills the whole map."""
    features = json.loads((REFERENCE_DIR / "counties.geojson").read_text(encoding="utf-8"))["features"]
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                ring.reverse()
    return features


st.title("Regioner")
page = page_context()
if page is not None:
    year = page.year
    names = queries.county_names()
    left, right = st.columns([2, 3])
    with left:
        values = load(queries.county_map_values, page.reader, year, "EMP_COMP_RATE")
        features = [{**f, "properties": {**f["properties"], "value": values.get(f["properties"]["l_id"])}} for f in county_outlines()]
        outlines = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="white", strokeWidth=0.8, fill="#c8c8c8")
        rates = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
            color=alt.Color("properties.value:Q", title="I arbete (%)", scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("properties.name:N", title="Län"), alt.Tooltip("properties.value:Q", title="Procent", format=".1f")],
        )  # counties without a value are dropped from this layer and show the grey outline beneath
        st.altair_chart((outlines + rates).project("mercator").properties(height=520), width="stretch")
        st.caption("Andel i konkurrensutsatt arbete. Grått: ingen verksamhet, eller undertryckt för att skydda enskilda.")
    with right:
        coverage = load(queries.county_coverage, page.reader, year)
        shown = coverage.with_columns(
            pl.col("emp_comp_rate").fill_null(0.0).alias("bar"),
            pl.when(pl.col("emp_comp_rate").is_null()).then(pl.lit(f"{queries.SUPPRESSED} undertryckt"))
            .otherwise(pl.col("emp_comp_rate").round(1).cast(pl.String).str.replace(".", ",", literal=True) + " %").alias("label"),
        ).to_pandas()
        bars = alt.Chart(shown).mark_bar(color="#1f4e79").encode(
            y=alt.Y("county:N", sort="-x", title=None, axis=alt.Axis(labelLimit=250)),
            x=alt.X("bar:Q", title="Andel i konkurrensutsatt arbete (%)"),
            tooltip=[alt.Tooltip("county:N", title="Län"), alt.Tooltip("label:N", title="Andel")])
        text = bars.mark_text(align="left", dx=4, color="#222222").encode(text="label:N")
        st.altair_chart((bars + text).properties(height=alt.Step(26)), width="stretch")
        st.caption(f"{queries.SUPPRESSED} undertryckt: andelen skulle kunna röja enskilda (för få personer i länet, eller "
                   "för att skydda ett annat läns små tal). Den är inte noll.")
    st.subheader("Täckning och resultat per län")
    show_table(load(queries.coverage_table, page.reader, year), f"tackning_{year}")
    st.caption("Täckning: deltagare under året per 100 000 invånare, med länets folkmängd enligt befolkningstabellen.")
    st.subheader("Ett län")
    counties = load(queries.by_county, page.reader, year).get_column("Län").to_list()
    chosen = st.selectbox("Välj län", counties, key="county")
    headline_metrics(page, next(code for code, name in names.items() if name == chosen))
    show_table(load(queries.by_county, page.reader, year), f"lan_{year}")
