"""Signing in on the dashboard: a form, the signed-in reader in the session, and sessions that expire."""

from __future__ import annotations

import time

import streamlit as st

from dashboards.ui import LANGUAGE, READER, language_switch, say
from pipelines.access import sign_in as access
from pipelines.access.messages import SESSION_EXPIRED
from pipelines.access.roles import Reader
from pipelines.settings import load_settings

SIGNED_IN_AT = "signed_in_at"
NOTICE = "sign_in_notice"  # a message to show above the form after a refusal or an expired session


def signed_in_reader() -> Reader | None:
    """The signed-in reader, or None. An expired session is signed out here, with a word for the form."""
    reader: Reader | None = st.session_state.get(READER)
    if reader is not None and access.session_expired(st.session_state[SIGNED_IN_AT], time.time(), load_settings()):
        sign_out(notice=str(SESSION_EXPIRED))  # both languages: errors are said in Swedish and English
        return None
    return reader


def sign_out(notice: str | None = None) -> None:
    """Forget everything of the session but its language: nothing of one reader is left for the next."""
    for key in [key for key in st.session_state if key != LANGUAGE]:
        del st.session_state[key]
    if notice:
        st.session_state[NOTICE] = notice


def sign_in_page() -> None:
    """The sign-in form: the only page for someone not signed in."""
    st.title(say("IPS i Sverige – nationell uppföljning", "IPS in Sweden – national monitoring"))
    if NOTICE in st.session_state:
        st.warning(st.session_state.pop(NOTICE))
    with st.form("sign_in"):
        username = st.text_input(say("Användarnamn", "User name"), autocomplete="username")
        password = st.text_input(say("Lösenord", "Password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(say("Logga in", "Sign in"))
    language_switch(st)
    if submitted:
        try:
            reader = access.sign_in(load_settings(), username.strip(), password)
        except access.SignInRefused as refusal:
            st.error(f"{refusal.message_sv} / {refusal.message_en}")
            return
        st.session_state[READER] = reader
        st.session_state[SIGNED_IN_AT] = time.time()
        st.rerun()
