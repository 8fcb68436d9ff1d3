"""Programtrohet: how faithful the sites are to IPS, where they are weakest, and how it relates to results."""

import altair as alt
import polars as pl
import streamlit as st

from dashboards import charts, queries
from dashboards.ui import load, page_context, say, show_chart, show_table

st.title(say("Programtrohet", "Fidelity"))
page = page_context()
if page is not None:
    year, language = page.year, page.language
    st.caption(say("Senaste granskningen per verksamhet under året, enligt IPS-skalan med 25 item (25–125 poäng).",
                   "Each site's latest review in the year, on the 25-item IPS fidelity scale (25–125 points)."))
    left, right = st.columns(2)
    with left:
        st.subheader(say("Verksamheter per nivå", "Sites by fidelity level"))
        bands = load(queries.fidelity_bands, page.reader, year, language=language)
        level, sites = say("Nivå", "Level"), say("Verksamheter", "Sites")
        band_table = bands.select(pl.col("band").alias(level), pl.col("sites").alias(sites))
        chart = alt.Chart(bands.to_pandas()).mark_bar(color=charts.MARK).encode(
            y=alt.Y("band:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)), x=alt.X("sites:Q", title=sites, axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("band:N", title=level), alt.Tooltip("sites:Q", title=sites)])
        show_chart((chart + chart.mark_text(align="left", dx=4, color=charts.TEXT).encode(text="sites:Q")).properties(height=alt.Step(34)),
                   say("Liggande staplar: antal verksamheter per nivå av programtrohet. ", "Horizontal bars: sites by fidelity level. ")
                   + "; ".join(f"{band}: {count}" for band, count in band_table.iter_rows()) + ".",
                   data=band_table, name=f"programtrohet_nivaer_{year}")
    with right:
        st.subheader(say("Programtrohet och andel i arbete", "Fidelity and employment"))
        relation = load(queries.fidelity_and_employment, page.reader, year)
        score, rate = say("Programtrohet (poäng)", "Fidelity (points)"), queries.indicator_names(language)["EMP_COMP_RATE"]
        points = relation.points.select(pl.col("fidelity_score").alias(score), pl.col("emp_comp_rate").round(1).alias(rate))
        said = say(f"{relation.sites_shown} verksamheter visas", f"{relation.sites_shown} sites are shown")
        if relation.sites_withheld:
            one = relation.sites_withheld == 1
            said += say(f"; {relation.sites_withheld} är {'utelämnad' if one else 'utelämnade'} eftersom "
                        f"{'dess' if one else 'deras'} andel är undertryckt för att skydda enskilda",
                        f"; {relation.sites_withheld} {'is' if one else 'are'} left out because {'its' if one else 'their'} rate "
                        "is withheld to protect individuals")
        if relation.correlation is not None:
            correlation = f"{relation.correlation:.2f}".replace(".", ",")
            said += say(f". Korrelation (Pearson) mellan poäng och andel i arbete: {correlation}",
                        f". Correlation (Pearson) between score and employment rate: {correlation}")
        show_chart(alt.Chart(relation.points.to_pandas()).mark_circle(size=80, color=charts.MARK, opacity=1).encode(
            x=alt.X("fidelity_score:Q", title=score, scale=alt.Scale(zero=False, padding=12)),
            y=alt.Y("emp_comp_rate:Q", title=rate, scale=alt.Scale(padding=12)),
            tooltip=[alt.Tooltip("fidelity_score:Q", title=score), alt.Tooltip("emp_comp_rate:Q", title=rate, format=".1f")]),
            say("Punktdiagram: varje punkt är en verksamhet, utan namn, med programtrohet i poäng vågrätt och andel i arbete lodrätt. ",
                "Scatter plot: each point is a site, unnamed, with the fidelity score across and the employment rate up. ") + said + ".",
            data=points, name=f"programtrohet_och_arbete_{year}")
        st.caption(said + ".")
    st.subheader(say("Item, svagast först", "Items, weakest first"))
    items = load(queries.fidelity_items, page.reader, year, language=language)
    show_table(items.with_columns(queries.display_column(items["mean_score"], "FID_ITEM_MEAN"))
               .rename({"item": "Item", "mean_score": say("Medelvärde (1–5)", "Mean (1–5)"), "weakest_rank": say("Rang", "Rank")}),
               f"programtrohet_item_{year}")
