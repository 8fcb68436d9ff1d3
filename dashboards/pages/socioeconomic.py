"""Samhällsekonomi: the socio-economic model estimate (SOCIO_*) for the nation and the counties, a site's own for the
site and the national function, and the parameter table the estimate rests on."""

import streamlit as st

from dashboards import queries
from dashboards.ui import download_buttons, load, page_context, say, show_table
from pipelines.access.roles import Role

st.title(say("Samhällsekonomi", "Socio-economic estimate"))
page = page_context()
if page is not None:
    year, language = page.year, page.language
    st.info(say(
        "**Modellskattning, inte en redovisning av faktiska utbetalningar.** Siffrorna är en beräkning med antaganden: "
        "för deltagarna med inkomstkällor angivna vid start och vid uppföljning räknas bortfallna och tillkomna ersättningar, "
        "lön i nya arbeten, skatt och lönestöd om till kronor per år med beloppen och satserna i parametertabellen längst ned. "
        "De visar vad övergången till arbete är värd med de antagandena, inte vad Försäkringskassan, Arbetsförmedlingen "
        "eller kommunerna faktiskt har betalat ut eller fått in.",
        "**Model estimate, not an accounting of actual payments.** The figures are a calculation on assumptions: for the "
        "participants with income sources recorded at intake and at follow-up, benefits ended and begun, wages of new jobs, "
        "tax and wage subsidies are turned into kronor a year with the amounts and rates of the parameter table at the "
        "bottom. They show what the move into work is worth on those assumptions, not what Försäkringskassan, "
        "Arbetsförmedlingen or the municipalities actually paid out or took in."), icon=":material/calculate:")

    st.subheader(say(f"Riket och länen {year}", f"Sweden and the counties, {year}"))
    estimate = load(queries.socio_estimate, page.reader, year, language=language)
    if estimate.is_empty():
        st.caption(say("Ingen skattning för året.", "No estimate for the year."))
    else:
        show_table(estimate, f"samhallsekonomi_{year}")
    st.caption(say(
        "Kronor per år. Nettoeffekt för det offentliga = minskade ersättningar + ändrade skatteintäkter − kostnad för lönestöd; "
        "produktionsvärdet ingår inte i den. Ett negativt belopp är en ökning av ersättningarna eller en minskning av skatten. "
        f"{queries.SUPPRESSED} undertryckt: 1–4 deltagare bidrar till länets siffror, eller de skyddar ett annat läns (inte noll).",
        "Kronor a year. Net effect on public finances = reduction in benefits + change in tax revenue − cost of wage "
        "subsidies; the production value is not part of it. A negative amount is an increase in benefits or a fall in tax. "
        f"{queries.SUPPRESSED} withheld: 1–4 participants contribute to the county's figures, or they protect another "
        "county's (not zero)."))

    if page.reader.role in (Role.SITE, Role.ANALYST):
        st.subheader(say("Verksamhetens egen skattning", "The site's own estimate"))
        choices = load(queries.site_choices, page.reader, year)
        if not choices:
            st.caption(say("Verksamheten har ingen godkänd rapport för året.", "The site has no accepted return for the year."))
        else:
            if page.reader.role == Role.ANALYST:
                site_id = st.selectbox(say("Verksamhet", "Site"), list(choices), format_func=choices.__getitem__, key="socio_site")
            else:
                site_id = next(iter(choices))  # a site reader's only choice is its own site
                st.text(f"{choices[site_id]}, {year}")  # as text: a site's name is the site's own words
            st.caption(say("Verksamhetens egna belopp visas utan undertryckning; länets och rikets är skyddade (–) som ovan.",
                           "The site's own amounts are shown unprotected; the county's and the nation's are protected (–) as above."))
            show_table(load(queries.site_socio, page.reader, site_id, year, language=language), f"samhallsekonomi_{site_id}_{year}")

    st.subheader(say("Antaganden: parametertabellen", "Assumptions: the parameter table"))
    parameters = load(queries.socio_parameters, page.reader, language=language)
    if parameters.is_empty():
        st.warning(say("Parametertabellen finns inte i de publicerade uppgifterna. Kör `ips-monitor run` igen.",
                       "The parameter table is not in the published figures. Run `ips-monitor run` again."))
    else:
        st.caption(say(
            "Belopp, satser och faktorer som skattningen bygger på, med källa. Samma tabell gäller för alla år som visas; "
            "den nationella stödfunktionen byter den med `ips-monitor reference load socioeconomic`, och nästa körning räknar om "
            "alla år med den nya.",
            "The amounts, rates and factors the estimate rests on, with their source. The same table holds for every year "
            "shown; the national function replaces it with `ips-monitor reference load socioeconomic`, and the next run "
            "recomputes every year with the new one."))
        st.table(parameters, hide_index=True)  # a static table: the sources wrap and are read in full
        download_buttons(parameters, "samhallsekonomi_parametrar")
