"""The IPS monitoring dashboard, for the signed-in reader's role. Run: ips-monitor serve."""

import streamlit as st

from dashboards.auth import sign_in_page, sign_out, signed_in_reader
from dashboards.ui import declare_language, escape_markdown, language_switch, say, year_picker
from pipelines.access.roles import Role

COLLECTION_PAGE = "insamling"

st.set_page_config(page_title=say("IPS i Sverige – nationell uppföljning", "IPS in Sweden – national monitoring"),
                   page_icon=":material/monitoring:", layout="wide")
declare_language()
reader = signed_in_reader()
if reader is None:
    # the only page there is until someone signs in, whatever the address asked for
    st.navigation([st.Page(sign_in_page, title=say("Logga in", "Sign in"), url_path="logga-in")], position="hidden").run()
else:
    pages = [
        st.Page("pages/national.py", title=say("Översikt", "Overview"), icon=":material/flag:", url_path="oversikt", default=True),
        st.Page("pages/county.py", title=say("Regioner", "Counties"), icon=":material/map:", url_path="regioner"),
        st.Page("pages/participants.py", title=say("Deltagare", "Participants"), icon=":material/groups:", url_path="deltagare"),
        st.Page("pages/fidelity.py", title=say("Programtrohet", "Fidelity"), icon=":material/fact_check:", url_path="programtrohet"),
        st.Page("pages/socioeconomic.py", title=say("Samhällsekonomi", "Socio-economic estimate"), icon=":material/savings:",
                url_path="samhallsekonomi"),
    ]
    if reader.role == Role.SITE:
        pages.append(st.Page("pages/upload.py", title=say("Lämna rapport", "Submit return"), icon=":material/upload_file:",
                             url_path="lamna-rapport"))
    if reader.role in (Role.SITE, Role.ANALYST):
        pages.append(st.Page("pages/my_site.py", title=say("Min verksamhet", "My site"), icon=":material/home_work:",
                             url_path="min-verksamhet"))
    if reader.role == Role.ANALYST:
        pages.append(st.Page("pages/sites.py", title=say("Verksamheter", "Sites"), icon=":material/table_view:", url_path="verksamheter"))
        pages.append(st.Page("pages/data_quality.py", title=say("Datakvalitet", "Data quality"), icon=":material/rule:",
                             url_path="datakvalitet"))
        pages.append(st.Page("pages/cycle.py", title=say("Insamling", "Collection"), icon=":material/event_available:", url_path=COLLECTION_PAGE))
    pages.append(st.Page("pages/definitions.py", title=say("Definitioner", "Definitions"), icon=":material/menu_book:",
                         url_path="definitioner"))
    navigation = st.navigation(pages)
    if navigation.url_path != COLLECTION_PAGE:  # Insamling has a year picker of its own, with years not yet published
        year_picker(reader)
    language_switch()
    st.sidebar.caption(say("Inloggad som", "Signed in as") + f" **{escape_markdown(reader.username)}** ({reader.role})")  # a name may hold _ and .
    if st.sidebar.button(say("Logga ut", "Sign out")):
        sign_out()
        st.rerun()
    navigation.run()
