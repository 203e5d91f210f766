"""The login gate. Placeholder form until the accounts issue wires in streamlit-authenticator."""

from __future__ import annotations

import streamlit as st

from components.context import ACTOR_KEY, ready_engine, set_actor
from db.engine import write_session
from locales import t
from services.accounts import authenticate
from services.actor import Actor


def login_gate() -> Actor:
    """Return the signed-in actor, or show the login form and stop the run."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        return actor
    st.title(t("app.title"))
    with st.form("login"):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"))
        password = st.text_input(t("login.password"), type="password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        with write_session(ready_engine()) as session:
            actor = authenticate(session, username, password)
        if actor is None:
            st.error(t("login.failed"))
        else:
            set_actor(actor)
            st.rerun()
    st.stop()


def logout_button() -> None:
    if st.sidebar.button(t("app.logout"), key="logout"):
        set_actor(None)
        st.rerun()
