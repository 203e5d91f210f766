"""CareLedger entry point: page config, database ready, login gate, navigation by role."""

import streamlit as st

from components import auth, navigation
from components.context import ready_engine
from locales import LANGUAGES, enum_label, set_language, t

st.set_page_config(page_title="留守儿童关爱台账 CareLedger", page_icon="📒", layout="wide")

language = st.sidebar.selectbox(
    t("app.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="language"
)
set_language(language)
ready_engine()

actor = auth.login_gate()
st.sidebar.caption(t("app.signed_in_as", name=actor.display_name, role=enum_label(actor.role)))
auth.logout_button()
st.navigation(navigation.pages_for(actor.role)).run()
