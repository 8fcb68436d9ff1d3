"""Verksamheter: every site's own figures in one sortable table, and the funnel plot. For the national function."""

from functools import partial

import streamlit as st

from dashboards import charts, queries
from dashboards.site_report import all_site_reports_zip
from dashboards.ui import load, page_context, recorded, say, show_chart, show_sortable_table, snapshots
from pipelines.access.roles import Role

st.title(say("Verksamheter", "Sites"))
page = page_context(roles=(Role.ANALYST,))
if page is not None:
    year, language = page.year, page.language
    st.caption(say(f"Varje verksamhets egna siffror {year}, utan undertryckning. Klicka på en rubrik för att sortera.",
                   f"Each site's own figures for {year}, unprotected. Click a heading to sort."))
    st.download_button(say(f"Alla verksamhetsrapporter {year} (zip med PDF)", f"Every site report of {year} (zip of PDFs)"),
                       data=recorded(partial(all_site_reports_zip, snapshots(), page.reader, year, language), f"verksamhetsrapporter_{year}.zip",
                                     year=year), icon=":material/folder_zip:",
                       file_name=f"verksamhetsrapporter_{year}.zip", mime="application/zip", key=f"reports-{year}",
                       on_click="ignore")
    table = load(queries.all_sites, page.reader, year, language=language)
    show_sortable_table(table, f"verksamheter_{year}", dict(zip(table.columns[3:], queries.SITES_TABLE, strict=True)))
    st.subheader(say("Andel i arbete mot antal deltagare (trattdiagram)", "Employment rate against participants (funnel plot)"))
    funnel = load(queries.funnel, page.reader, year)
    rate = queries.indicator_names(language)["EMP_COMP_RATE"]
    show_chart(charts.funnel_chart(funnel, language), say(
        f"Trattdiagram: varje punkt är en verksamhet, med antal deltagare vågrätt och {rate.lower()} lodrätt, inom kontrollgränser "
        "kring rikets andel. Siffrorna finns i tabellen ovan.",
        f"Funnel plot: each point is a site, with participants across and {rate.lower()} up, within control limits around the "
        "national rate. The figures are in the table above."))
    if funnel.national_rate is not None:
        national = queries.display_value(funnel.national_rate, "EMP_COMP_RATE")
        st.caption(say(f"Orange linje: riket, {national}. Streckat: 95 % och 99,8 % kontrollgränser. En verksamhet utanför gränserna "
                       "skiljer sig från riket mer än slumpen förklarar; innanför gör den inte det, hur den än ser ut.",
                       f"Orange line: the nation, {national}. Dashed: 95 % and 99.8 % control limits. A site outside the limits "
                       "differs from the nation more than chance explains; inside, it does not, however it looks."))
