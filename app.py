"""CareLedger entry point: page config, database ready, login gate, navigation by role."""

import streamlit as st

from components import auth, auto_backup, navigation, setup_wizard
from components.context import DEMO_MODE_ROLES, demo_mode_on, demo_mode_switch, ready_engine
from components.safe_text import md
from db.private_files import use_private_umask
from locales import LANGUAGES, enum_label, set_language, t

st.set_page_config(page_title="留守儿童关爱台账 CareLedger", page_icon="📒", layout="wide")
# Streamlit's input hints ("Press Enter to submit form") have no translation: hidden, Enter works.
st.html("<style>[data-testid=InputInstructions]{display:none}</style>")

language = st.sidebar.selectbox(
    t("app.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="language"
)
set_language(language)
use_private_umask()  # the database, backups and exports are children's data: 600/700
ready_engine()
auto_backup.start_once()  # the daily backup thread, when CARELEDGER_AUTO_BACKUP is on
setup_wizard.show_if_needed()  # no school yet: the setup wizard instead of the login form

actor = auth.login_gate()
st.sidebar.caption(md("app.signed_in_as", name=actor.display_name, role=enum_label(actor.role)))
if actor.role in DEMO_MODE_ROLES:
    demo_mode_switch(t("app.demo_mode"), t("app.demo_mode_help"))
auth.logout_button()
# expanded: every page of the role is listed; nothing hides behind an English "View N more".
page = st.navigation(navigation.pages_for(actor.role), expanded=True)
navigation.close_menu_on_phone()
if demo_mode_on(actor) and page.title not in navigation.demo_safe_titles(actor.role):
    # On a projector: pages with personal records stay closed, not merely masked.
    st.title(page.title)
    st.info(t("app.demo_mode_hidden"))
else:
    page.run()
