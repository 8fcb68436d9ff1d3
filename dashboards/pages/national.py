"""Översikt: the year's headline figures and their change, the trend against the international benchmarks, and
how current the figures are."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import queries
from dashboards.ui import headline_metrics, link_to_page, load, page_context

# International benchmarks for the competitive employment rate (DOMAIN.md): the US learning community's
# average and excellent programmes, and IPS Grow's for the UK.
BENCHMARKS = pd.DataFrame({"value": [41.0, 50.0, 40.0], "label": ["USA, genomsnitt 41 %", "USA, utmärkt 50 %", "Storbritannien 40 %"],
                           "offset": [-6, -6, 10]})  # the UK's 40 below its line, clear of the US 41 above

st.title("IPS i Sverige – nationell uppföljning")
page = page_context()
if page is not None:
    year = page.year
    st.caption(f"Individanpassat stöd till arbete (IPS), {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.")
    headline_metrics(page)
    st.caption(f"Under varje tal: förändringen sedan {year - 1}.")

    st.subheader("Andel i konkurrensutsatt arbete")
    benchmarks = alt.Chart(BENCHMARKS).mark_rule(strokeDash=[5, 4], color="#6b6b6b").encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title="Jämförelse")])
    labels = alt.layer(*(
        alt.Chart(BENCHMARKS[BENCHMARKS["offset"] == offset]).mark_text(align="left", dx=4, dy=offset, color="#4d4d4d")
        .encode(y="value:Q", x=alt.value(0), text="label:N") for offset in (-6, 10)))
    for tab, (freq, period) in zip(st.tabs(["Per kvartal", "Per år"]), (("Q", "Kvartal"), ("A", "År"))):
        series = load(queries.trend, page.reader, "EMP_COMP_RATE", freq).to_pandas()
        line = alt.Chart(series).mark_line(point=True, color="#1f4e79").encode(
            x=alt.X("period:N", title=period), y=alt.Y("value:Q", title="Procent", scale=alt.Scale(domain=[0, 60])),
            tooltip=[alt.Tooltip("period:N", title=period), alt.Tooltip("value:Q", title="Procent", format=".1f")])
        tab.altair_chart(line + benchmarks + labels, width="stretch")
    st.caption("Streckat: internationella jämförelsetal (USA:s lärandenätverk för IPS, genomsnitt och utmärkt; IPS Grow i "
               "Storbritannien). Ett undertryckt kvartal saknar punkt.")

    date = load(queries.data_date, page.reader, year)
    if date is not None:
        st.caption(f"Uppgifterna för {year} vilar på {date.current_returns} godkända årsrapporter från verksamheterna; den senaste "
                   f"kom in {date.newest_received}. Siffrorna publicerades {date.published_at} (UTC). Källa: Nationell uppföljning "
                   "av IPS, årsrapporter från IPS-verksamheterna.")
    link_to_page("pages/definitions.py", "Definitioner av indikatorerna", ":material/menu_book:")
