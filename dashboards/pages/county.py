"""Regioner: the counties on a map beside sorted bars (withheld ones marked), coverage, and one county's figures."""

import streamlit as st

from dashboards import charts, queries
from dashboards.ui import headline_metrics, load, page_context, say, show_chart, show_table

st.title(say("Regioner", "Counties"))
page = page_context()
if page is not None:
    year, language = page.year, page.language
    coverage = load(queries.coverage_table, page.reader, year, language=language)
    county, rate = coverage.columns[0], coverage.columns[2]
    left, right = st.columns([2, 3])
    with left:
        values = load(queries.county_map_values, page.reader, year, "EMP_COMP_RATE")
        show_chart(charts.county_map(values, language), say(
            f"Karta över Sveriges län, färgade efter {rate.lower()} {year}; mörkare är högre. Län med streck saknar publicerad andel. "
            "Siffrorna står i stapeldiagrammet bredvid och i tabellen nedanför, där de kan laddas ner.",
            f"Map of Sweden's counties, shaded by {rate.lower()} in {year}; darker is higher. Counties with a dash have no "
            "published rate. The figures are in the bar chart beside it and in the table below, which can be downloaded."))
        st.caption(say(f"Streck ({queries.SUPPRESSED}): undertryckt för att skydda enskilda, eller ingen verksamhet i länet.",
                       f"Dash ({queries.SUPPRESSED}): withheld to protect individuals, or no site in the county."))
    with right:
        show_chart(charts.display_bars(coverage, county, rate, language, largest_first=True), say(
            f"Liggande staplar: {rate.lower()} per län {year}, högst överst. Undertryckta län står sist med texten "
            f"'{queries.SUPPRESSED} undertryckt' och ingen stapel.",
            f"Horizontal bars: {rate.lower()} per county in {year}, highest first. Withheld counties come last, marked "
            f"'{queries.SUPPRESSED} withheld' with no bar."))
        st.caption(say(f"{queries.SUPPRESSED} undertryckt: andelen skulle kunna röja enskilda (för få personer i länet, eller "
                       "för att skydda ett annat läns små tal). Den är inte noll.",
                       f"{queries.SUPPRESSED} withheld: the share could reveal individuals (too few people in the county, or to "
                       "protect another county's small numbers). It is not zero."))
    st.subheader(say("Täckning och resultat per län", "Coverage and results by county"))
    show_table(coverage, f"tackning_{year}")
    st.caption(say("Täckning: deltagare under året per 100 000 invånare, med länets folkmängd för året enligt befolkningstabellen "
                   f"(annars närmast tidigare år, annars det äldsta). {queries.SUPPRESSED} undertryckt: antalet deltagare i länet är undertryckt.",
                   "Coverage: participants in the year per 100,000 inhabitants, with the county's population of the year from the "
                   f"population table (else of the newest year before it, else of the oldest). {queries.SUPPRESSED} withheld: the county's number of "
                   "participants is withheld."))
    st.subheader(say("Ett län", "One county"))
    by_county = load(queries.by_county, page.reader, year, language=language)
    chosen = st.selectbox(say("Välj län", "Choose a county"), by_county.get_column(by_county.columns[0]).to_list(), key="county")
    headline_metrics(page, next(code for code, name in queries.county_names(language).items() if name == chosen))
    show_table(by_county, f"lan_{year}")
