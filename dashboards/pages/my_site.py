"""Min verksamhet: a site's own figures, unprotected, beside its county's and the nation's protected ones."""

from functools import partial

import altair as alt
import polars as pl
import streamlit as st

from dashboards import charts, queries
from dashboards.site_report import report_name, site_report_pdf
from dashboards.ui import load, page_context, recorded, say, show_chart, show_table, snapshots
from pipelines.access.messages import Message
from pipelines.access.roles import Role

NOT_YOUR_SITE = Message("Du kan inte se den verksamhetens siffror.", "You may not see that site's figures.")

st.title(say("Min verksamhet", "My site"))
page = page_context(roles=(Role.SITE, Role.ANALYST))
if page is not None:
    year, language = page.year, page.language
    choices = load(queries.site_choices, page.reader, year)
    if not choices:
        st.info(say("Verksamheten har ingen godkänd rapport för året.", "The site has no accepted return for the year."))
    else:
        requested = st.query_params.get("site")
        if requested is not None and requested not in choices:
            st.error(str(NOT_YOUR_SITE))
            st.stop()
        if page.reader.role == Role.ANALYST:
            ids = list(choices)
            site_id = st.selectbox(say("Verksamhet", "Site"), ids, index=ids.index(requested) if requested else 0,
                                   format_func=choices.__getitem__)
        else:
            site_id = next(iter(choices))
        st.text(f"{choices[site_id]}, {year}")  # as text: a site's name is the site's own words
        st.download_button(say("Verksamhetsrapport (PDF)", "Site report (PDF)"), icon=":material/picture_as_pdf:",
                           data=recorded(partial(site_report_pdf, snapshots(), page.reader, site_id, year, language),
                                         report_name(site_id, year), site_id, year),
                           file_name=report_name(site_id, year), mime="application/pdf", key=f"report-{site_id}-{year}",
                           on_click="ignore")
        st.caption(say("Verksamhetens egna siffror visas utan undertryckning; länets och rikets är skyddade (–) som i all publicering.",
                       "The site's own figures are shown unprotected; the county's and the nation's are protected (–) as in "
                       "everything published."))
        show_table(load(queries.site_figures, page.reader, site_id, year, language=language), f"{site_id}_{year}")

        rate = queries.indicator_names(language)["EMP_COMP_RATE"]
        quarter, series_name = say("Kvartal", "Quarter"), say("Serie", "Series")
        st.subheader(say("Andel i konkurrensutsatt arbete per kvartal", "Share in competitive employment by quarter"))
        series = load(queries.site_trend, page.reader, site_id, language=language)
        series_names = series.get_column("series").unique(maintain_order=True).to_list()  # the site's, then the nation's
        trend_table = series.pivot(on="series", index="period", values="value").with_columns(pl.exclude("period").round(1)).rename(
            {"period": quarter})
        show_chart(alt.Chart(series.to_pandas()).mark_line(point=True).encode(
            x=alt.X("period:N", title=quarter), y=alt.Y("value:Q", title=rate),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series_names, range=[charts.MARK, charts.SECOND_MARK])),
            strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=series_names, range=[[1, 0], [5, 4]])),
            tooltip=[alt.Tooltip("series:N", title=series_name), alt.Tooltip("period:N", title=quarter),
                     alt.Tooltip("value:Q", title=rate, format=".1f")]),
            say(f"Linjediagram: verksamhetens {rate.lower()} per kvartal, heldragen, mot rikets, streckad.",
                f"Line chart: the site's {rate.lower()} by quarter, solid, against the nation's, dashed."),
            data=trend_table, name=f"{site_id}_kvartal")

        st.subheader(say("Plats i trattdiagrammet", "Place in the funnel plot"))
        funnel = load(queries.funnel, page.reader, year)
        own = funnel.points.filter(site_id=site_id)
        participants = say("Deltagare", "Participants")
        show_chart(charts.funnel_chart(queries.Funnel(own, funnel.national_rate), language),
                   say(f"Trattdiagram: verksamhetens {rate.lower()} mot antal deltagare, med rikets andel och kontrollgränser.",
                       f"Funnel plot: the site's {rate.lower()} against its participants, with the national rate and control limits."),
                   data=own.select(pl.col("participants").alias(participants), pl.col("rate").round(1).alias(rate)),
                   name=f"{site_id}_tratt_{year}")
        st.caption(say("Verksamhetens andel i arbete mot antal deltagare, med rikets andel (orange) och 95 % och 99,8 % "
                       "kontrollgränser (streckat): innanför gränserna skiljer sig verksamheten inte från riket mer än slumpen förklarar.",
                       "The site's employment rate against its participants, with the national rate (orange) and 95 % and 99.8 % "
                       "control limits (dashed): inside the limits the site differs from the nation no more than chance explains."))

        st.subheader(say("Programtrohet per item, mot riket", "Fidelity by item, against the nation"))
        profile = load(queries.site_fidelity_profile, page.reader, site_id, year, language=language)
        if profile.is_empty():
            st.caption(say("Ingen granskning av programtroheten under året.", "No fidelity review in the year."))
        else:
            show_chart(charts.fidelity_profile_chart(profile, language),
                say("Punktdiagram: verksamhetens poäng för vart och ett av de 25 itemen, mot rikets medelvärde.",
                    "Dot plot: the site's score on each of the 25 items, against the national mean."),
                data=profile.with_columns(pl.col("national_mean").round(1)).rename(
                    {"item": "Item", **charts.fidelity_profile_series(language)}),
                name=f"{site_id}_item_{year}")
