"""The IPS monitoring dashboard, for the signed-in reader's role. Run: ips-monitor serve."""

import streamlit as st

from dashboards.auth import sign_in_page, sign_out, signed_in_reader
from dashboards.ui import year_picker
from pipelines.access.roles import Role

st.set_page_config(page_title="IPS i Sverige – nationell uppföljning", page_icon=":material/monitoring:", layout="wide")
reader = signed_in_reader()
if reader is None:
    # the only page there is until someone signs in, whatever the address asked for
    st.navigation([st.Page(sign_in_page, title="Logga in", url_path="logga-in")], position="hidden").run()
else:
    pages = [
        st.Page("pages/national.py", title="Översikt", icon=":material/flag:", url_path="oversikt", default=True),
        st.Page("pages/county.py", title="Regioner", icon=":material/map:", url_path="regioner"),
        st.Page("pages/participants.py", title="Deltagare", icon=":material/groups:", url_path="deltagare"),
        st.Page("pages/fidelity.py", title="Programtrohet", icon=":material/fact_check:", url_path="programtrohet"),
    ]
    if reader.role in (Role.SITE, Role.ANALYST):
        pages.append(st.Page("pages/my_site.py", title="Min verksamhet", icon=":material/home_work:", url_path="min-verksamhet"))
    if reader.role == Role.ANALYST:
        pages.append(st.Page("pages/sites.py", title="Verksamheter", icon=":material/table_view:", url_path="verksamheter"))
        pages.append(st.Page("pages/data_quality.py", title="Datakvalitet", icon=":material/rule:", url_path="datakvalitet"))
    pages.append(st.Page("pages/definitions.py", title="Definitioner", icon=":material/menu_book:", url_path="definitioner"))
    navigation = st.navigation(pages)
    year_picker(reader)
    st.sidebar.caption(f"Inloggad som / signed in as **{reader.username}** ({reader.role})")
    if st.sidebar.button("Logga ut / Sign out"):
        sign_out()
        st.rerun()
    navigation.run()
