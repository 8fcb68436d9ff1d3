"""Översikt: the year's headline figures and their change, the trend against the international benchmarks, and
how current the figures are."""

import altair as alt
import pandas as pd
import polars as pl
import streamlit as st

from dashboards import charts, queries
from dashboards.ui import headline_metrics, link_to_page, load, page_context, say, show_chart, show_table

st.title(say("IPS i Sverige – nationell uppföljning", "IPS in Sweden – national monitoring"))
page = page_context()
if page is not None:
    year, language = page.year, page.language
    st.caption(say(f"Individanpassat stöd till arbete (IPS), {year}. Små tal är undertryckta ({queries.SUPPRESSED}) för att skydda enskilda.",
                   f"Individual Placement and Support (IPS), {year}. Small numbers are withheld ({queries.SUPPRESSED}) to protect individuals."))
    headline_metrics(page)
    st.caption(say(f"Under varje tal: förändringen sedan {year - 1}.", f"Below each figure: the change since {year - 1}."))

    rate = queries.indicator_names(language)["EMP_COMP_RATE"]
    st.subheader(rate)
    # International benchmarks for the competitive employment rate (DOMAIN.md): the US learning community's
    # average and excellent programmes, and IPS Grow's for the UK.
    benchmark_data = pd.DataFrame({
        "value": [41.0, 50.0, 40.0],
        "label": [say("USA, genomsnitt 41 %", "US, average 41 %"), say("USA, utmärkt 50 %", "US, excellent 50 %"),
                  say("Storbritannien 40 %", "UK 40 %")],
        "offset": [-6, -6, 10]})  # the UK's 40 below its line, clear of the US 41 above
    benchmarks = alt.Chart(benchmark_data).mark_rule(strokeDash=[5, 4], color=charts.REFERENCE_LINE).encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title=say("Jämförelse", "Benchmark"))])
    labels = alt.layer(*(
        alt.Chart(benchmark_data[benchmark_data["offset"] == offset]).mark_text(align="left", dx=4, dy=offset, color=charts.REFERENCE_LINE)
        .encode(y="value:Q", x=alt.value(0), text="label:N") for offset in (-6, 10)))
    quarterly, annual = st.tabs([say("Per kvartal", "By quarter"), say("Per år", "By year")])
    for tab, freq, period in ((quarterly, "Q", say("Kvartal", "Quarter")), (annual, "A", say("År", "Year"))):
        series = load(queries.trend, page.reader, "EMP_COMP_RATE", freq)
        line = alt.Chart(series.to_pandas()).mark_line(point=True, color=charts.MARK).encode(
            x=alt.X("period:N", title=period), y=alt.Y("value:Q", title=rate, scale=alt.Scale(domain=[0, 60])),
            tooltip=[alt.Tooltip("period:N", title=period), alt.Tooltip("value:Q", title=rate, format=".1f")])
        figures = pl.DataFrame([series["period"].alias(period), queries.display_column(series["value"], "EMP_COMP_RATE").alias(rate)])
        with tab:
            show_chart(line + benchmarks + labels, data=figures, name=f"trend_{freq}", description=say(
                f"Linjediagram: {rate.lower()} i hela Sverige per {period.lower()}, mot streckade jämförelselinjer vid 40, 41 och "
                "50 procent. Siffrorna finns att ladda ner under diagrammet.",
                f"Line chart: {rate.lower()} in all of Sweden by {period.lower()}, against dashed benchmark lines at 40, 41 and "
                "50 per cent. The figures can be downloaded below the chart."))
    st.caption(say("Streckat: internationella jämförelsetal (USA:s lärandenätverk för IPS, genomsnitt och utmärkt; IPS Grow i "
                   "Storbritannien). Ett undertryckt kvartal saknar punkt.",
                   "Dashed: international benchmarks (the US IPS learning community, average and excellent; IPS Grow in the "
                   "UK). A withheld quarter has no point."))

    st.subheader(queries.indicator_names(language)["JOB_12M_RATE"])
    st.caption(say("Av dem som började under året: andelen som fått ett arbete på den öppna arbetsmarknaden inom 365 dagar, "
                   "också enligt senare års rapporter. Preliminär tills alla verksamheter med deltagare i årskullen lämnat nästa års rapport.",
                   "Of those who started in the year: the share in a competitive job within 365 days, by later years' returns too. "
                   "Provisional until every site with participants in the cohort has sent the next year's return."))
    show_table(load(queries.cohort_rates, page.reader, language=language), "arbete_inom_12_manader")

    date = load(queries.data_date, page.reader, year)
    if date is not None:
        st.caption(say(f"Uppgifterna för {year} vilar på {date.current_returns} godkända årsrapporter från verksamheterna; den senaste "
                       f"kom in {date.newest_received}. Siffrorna publicerades {date.published_at} (UTC). Källa: Nationell uppföljning "
                       "av IPS, årsrapporter från IPS-verksamheterna.",
                       f"The figures for {year} rest on {date.current_returns} accepted annual returns from the sites; the newest "
                       f"came in on {date.newest_received}. They were published on {date.published_at} (UTC). Source: National "
                       "monitoring of IPS, the IPS sites' annual returns."))
    link_to_page("pages/definitions.py", say("Definitioner av indikatorerna", "Definitions of the indicators"), ":material/menu_book:")
