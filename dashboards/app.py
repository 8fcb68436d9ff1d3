"""The IPS monitoring dashboard: national and county figures, protected. Run: ips-monitor serve."""

import streamlit as st

st.set_page_config(page_title="IPS i Sverige – nationell uppföljning", page_icon=":material/monitoring:", layout="wide")
st.navigation([
    st.Page("pages/national.py", title="Nationellt", icon=":material/flag:", url_path="nationellt", default=True),
    st.Page("pages/county.py", title="Län", icon=":material/map:", url_path="lan"),
    st.Page("pages/fidelity.py", title="Programtrohet", icon=":material/fact_check:", url_path="programtrohet"),
]).run()
