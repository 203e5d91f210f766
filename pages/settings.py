"""联系规则与学期 (admin): edit the contact rules and the term calendar; every save is audited."""

import streamlit as st

from components import feedback, settings_forms
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.compliance.settings import list_rules, list_terms

actor = feedback.page_start(t("settings.title"))
with read_session(ready_engine()) as session:
    rules = list_rules(session, actor)
    terms = list_terms(session, actor)

rules_tab, terms_tab = st.tabs([t("settings.rules"), t("settings.terms")])
with rules_tab:
    settings_forms.rule_list(actor, rules)
with terms_tab:
    settings_forms.term_list(actor, terms)
