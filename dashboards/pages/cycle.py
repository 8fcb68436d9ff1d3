"""Insamling: a year's collection cycle, the year chosen on the page (each registered site's status, the deadline, whom to remind) and the site
register, kept here or with `ips-monitor sites`."""

import datetime as dt
from collections.abc import Callable

import streamlit as st

from dashboards import cycle, queries
from dashboards.ui import escape_markdown, language, load, page_reader, say, show_table, snapshots
from pipelines.access.roles import Reader, Role
from pipelines.returns import sites
from pipelines.settings import Settings, load_settings

CHOSEN_YEAR = "cycle_year"  # the year picker's own state
DONE = "cycle_register_done"  # session state: what the last change to the register did, shown after the rerun
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)  # Streamlit's own range is ten years either side of the value


def apply(change: Callable[[], sites.Site], done_sv: str, done_en: str) -> None:
    """Make a change to the register, then draw the page again with it; a refusal is shown where the form is."""
    try:
        site = change()
    except sites.SiteError as error:
        st.error(say(error.message.sv, error.message.en))
        return
    st.session_state[DONE] = say(f"{site.site_id} {done_sv}.", f"{site.site_id} {done_en}.")
    st.rerun()


def add_form(settings: Settings, reader: Reader, municipalities: dict[str, str]) -> None:
    with st.form("add_site"):
        site_id = st.text_input(say("Verksamhets-id", "Site id"), placeholder="IPS0042", key="add-site_id")
        name = st.text_input(say("Namn", "Name"), key="add-name")
        municipality = st.selectbox(say("Kommun", "Municipality"), list(municipalities), index=None, format_func=municipalities.__getitem__,
                                    key="add-municipality")
        email = st.text_input(say("Kontaktens e-post", "Contact e-mail"), key="add-email")
        active_from = st.date_input(say("Aktiv från", "Active from"), value=dt.date.today(), min_value=FIRST_DAY, max_value=LAST_DAY, format="YYYY-MM-DD")
        if st.form_submit_button(say("Lägg till", "Add"), type="primary"):
            apply(lambda: cycle.change_register(reader, sites.add_site, settings, site_id, name, municipality or "", email, active_from),
                  "har lagts till", "has been added")


def change_forms(settings: Settings, reader: Reader, municipalities: dict[str, str]) -> None:
    registered = {site.site_id: site for site in sites.list_sites(settings)}
    if not registered:
        st.caption(say("Registret är tomt.", "The register is empty."))
        return
    chosen = st.selectbox(say("Verksamhet", "Site"), list(registered), format_func=lambda s: f"{s} – {registered[s].name}")
    site = registered[chosen]
    with st.form(f"update_site-{chosen}"):
        name = st.text_input(say("Namn", "Name"), value=site.name)
        codes = list(municipalities)
        municipality = st.selectbox(say("Kommun", "Municipality"), codes, index=codes.index(site.municipality_code),
                                    format_func=municipalities.__getitem__)
        email = st.text_input(say("Kontaktens e-post", "Contact e-mail"), value=site.email, key=f"update-email-{chosen}")
        active_from = st.date_input(say("Aktiv från", "Active from"), value=site.active_from, min_value=FIRST_DAY, max_value=LAST_DAY, format="YYYY-MM-DD")
        active_to = st.date_input(say("Aktiv till (tomt: pågår)", "Active to (empty: running)"), value=site.active_to, min_value=FIRST_DAY,
                                  max_value=LAST_DAY, format="YYYY-MM-DD")
        if st.form_submit_button(say("Spara", "Save"), type="primary"):
            apply(lambda: cycle.change_register(reader, sites.update_site, settings, chosen, name=name, municipality_code=municipality,
                                                email=email, active_from=active_from, active_to=active_to), "har ändrats", "has been changed")
    with st.form(f"deactivate_site-{chosen}"):
        last_day = st.date_input(say("Sista dag", "Last day"), value=dt.date.today(), min_value=FIRST_DAY, max_value=LAST_DAY, format="YYYY-MM-DD",
                                 key=f"deactivate-{chosen}")
        if st.form_submit_button(say("Avsluta verksamheten", "End the site")):
            apply(lambda: cycle.change_register(reader, sites.deactivate_site, settings, chosen, last_day), "har avslutats", "has been ended")


def year_choice(settings: Settings, reader: Reader) -> int:
    """The page's own year, not the sidebar's: the sidebar offers only years with published figures, and a collection
    is followed before any of its returns is published. The year being collected comes first; the choice is kept
    across reruns."""
    published = load(queries.years, reader) if snapshots().published.exists() else []
    years = cycle.collection_years(settings, reader, published)
    chosen: int = st.selectbox(say("Rapportår", "Reporting year"), years, index=years.index(cycle.collection_year()), key=CHOSEN_YEAR)
    return chosen


st.title(say("Insamling", "Collection"))
reader = page_reader(roles=(Role.ANALYST,))
if reader is not None:
    settings = load_settings()
    year = year_choice(settings, reader)
    collection = cycle.collection(settings, reader, year)
    st.caption(cycle.deadline_text(collection, language()))
    for column, (status, count) in zip(st.columns(len(cycle.Status)), cycle.status_counts(collection).items()):
        column.metric(say(*status.words).capitalize(), count)

    st.subheader(say(f"Verksamheternas status för {year}", f"The sites' status for {year}"))
    if collection.sites:
        show_table(cycle.status_board(collection, language()), f"insamling_{year}")
    else:
        st.info(say("Inga verksamheter i registret är aktiva under året. Lägg till dem nedan eller med `ips-monitor sites add`.",
                    "No site in the register is active in the year. Add them below or with `ips-monitor sites add`."))
    if collection.unregistered:  # the site ids as the returns give them, a rejected one's too
        unregistered = ", ".join(escape_markdown(site_id) for site_id in collection.unregistered)
        st.warning(say(f"Rapporter för {year} har kommit från verksamheter som inte är aktiva i registret: {unregistered}.",
                       f"Returns for {year} came from sites not active in the register: {unregistered}."))

    st.subheader(say("Påminnelser", "Reminders"))
    reminders = cycle.reminder_list(collection, language())
    if reminders.is_empty():
        st.caption(say("Alla aktiva verksamheter har en godkänd rapport för året.", "Every active site has an accepted return for the year."))
    else:
        st.caption(say("Aktiva verksamheter utan godkänd rapport, med kontaktens e-post.",
                       "Active sites without an accepted return, with the contact's e-mail."))
        show_table(reminders, f"paminnelser_{year}")

    st.subheader(say("Verksamhetsregistret", "The site register"))
    if DONE in st.session_state:
        st.success(st.session_state.pop(DONE))
    show_table(cycle.register_table(settings, reader, language()), "verksamhetsregistret")
    municipalities = cycle.municipality_names()
    adding, changing = st.tabs([say("Lägg till", "Add"), say("Ändra eller avsluta", "Change or end")])
    with adding:
        add_form(settings, reader, municipalities)
    with changing:
        change_forms(settings, reader, municipalities)
