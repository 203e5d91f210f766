"""联系规则与学期 (admin): edit the contact rules and the term calendar; every save is audited."""

from datetime import date

import pandas as pd
import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import Cadence, ContactChannel, Counterpart, RuleAppliesTo, RuleWho, TermPhase
from locales import enum_label, enum_options, t
from services.compliance.settings import (
    PHASE_FIELDS,
    RuleInput,
    TermInput,
    format_holidays,
    install_defaults_if_empty,
    list_rules,
    list_terms,
    parse_holidays,
    save_rule,
    save_term,
)
from services.errors import ConflictError, ValidationFailed

actor = current_actor()
st.title(t("settings.title"))


def run_save(action) -> None:  # type: ignore[no-untyped-def]
    """One transaction per submit; problems become one message each."""
    try:
        with write_session(ready_engine()) as session:
            action(session)
    except ValidationFailed as exc:
        st.error(t("error.validation_failed", count=len(exc.problems)))
        for problem in exc.problems:
            st.markdown(f"- {problem.row} · {problem.column}: {problem.message}")
    except ConflictError as exc:
        st.error(t("error.conflict", count=len(exc.conflicts)))
    else:
        st.session_state["settings_saved"] = True
        st.rerun()


if st.session_state.pop("settings_saved", False):
    st.success(t("settings.saved"))

with read_session(ready_engine()) as session:
    rules = list_rules(session, actor)
    terms = list_terms(session, actor)


def rule_form(rule: pd.Series | None) -> None:
    key = f"rule_{rule['id']}" if rule is not None else "rule_new"
    values = rule if rule is not None else pd.Series(dtype=object)
    with st.form(key):
        name = st.text_input(t("settings.rule.name"), values.get("name", ""))
        counterparts = st.multiselect(
            t("settings.rule.counterparts"),
            list(enum_options(Counterpart)),
            default=list(values.get("counterparts", []) or []),
            format_func=lambda v: enum_label(v, Counterpart),
        )
        channels = st.multiselect(
            t("settings.rule.channels"),
            list(enum_options(ContactChannel)),
            default=list(values.get("channels", []) or []),
            format_func=lambda v: enum_label(v, ContactChannel),
        )
        left, middle, right = st.columns(3)
        cadences = list(enum_options(Cadence))
        cadence = left.selectbox(
            t("settings.rule.cadence"),
            cadences,
            index=cadences.index(values.get("cadence", Cadence.MONTHLY.value)),
            format_func=lambda v: enum_label(v, Cadence),
        )
        phases = [None, *PHASE_FIELDS]
        phase = middle.selectbox(
            t("settings.rule.phase"),
            phases,
            index=phases.index(
                values.get("phase") if isinstance(values.get("phase"), str) else None
            ),
            format_func=lambda v: (
                t("settings.rule.phase_all") if v is None else enum_label(v, TermPhase)
            ),
        )
        whos = list(enum_options(RuleWho))
        who = right.selectbox(
            t("settings.rule.who"),
            whos,
            index=whos.index(values.get("who", RuleWho.HEAD_TEACHER.value)),
            format_func=lambda v: enum_label(v, RuleWho),
        )
        targets = list(enum_options(RuleAppliesTo))
        applies_to = left.selectbox(
            t("settings.rule.applies_to"),
            targets,
            index=targets.index(values.get("applies_to", RuleAppliesTo.LEFT_BEHIND.value)),
            format_func=lambda v: enum_label(v, RuleAppliesTo),
        )
        sort_order = middle.number_input(
            t("settings.rule.sort_order"), value=int(values.get("sort_order", 0) or 0), step=1
        )
        active = right.checkbox(t("settings.rule.active"), value=bool(values.get("active", True)))
        if st.form_submit_button(t("settings.save")):
            data = RuleInput(
                name, counterparts, channels, who, cadence, phase, applies_to, active, sort_order
            )
            rule_id = int(rule["id"]) if rule is not None else None
            version = int(rule["version"]) if rule is not None else None
            run_save(lambda s: save_rule(s, actor, data, rule_id, version))


def term_form(term: pd.Series | None) -> None:
    key = f"term_{term['id']}" if term is not None else "term_new"
    today = date.today()
    values = term if term is not None else pd.Series(dtype=object)
    with st.form(key):
        name = st.text_input(t("settings.term.name"), values.get("name", ""))
        left, right = st.columns(2)
        start = left.date_input(t("settings.term.start"), values.get("start_date", today))
        end = right.date_input(t("settings.term.end"), values.get("end_date", today))
        phases = {}
        for phase, (first_field, last_field) in PHASE_FIELDS.items():
            label = t(f"settings.term.{phase}_phase")
            phases[phase] = (
                left.date_input(
                    f"{label} ·  {t('settings.term.start')}", values.get(first_field, today)
                ),
                right.date_input(
                    f"{label} · {t('settings.term.end')}", values.get(last_field, today)
                ),
            )
        holidays = st.text_area(
            t("settings.term.holidays"), format_holidays(values.get("holidays", []) or [])
        )
        if st.form_submit_button(t("settings.save")):
            term_id = int(term["id"]) if term is not None else None
            version = int(term["version"]) if term is not None else None

            def save(session) -> None:  # type: ignore[no-untyped-def]
                data = TermInput(name, start, end, phases, parse_holidays(holidays))
                save_term(session, actor, data, term_id, version)

            run_save(save)


rules_tab, terms_tab = st.tabs([t("settings.rules"), t("settings.terms")])
with rules_tab:
    st.caption(t("settings.rules_help"))
    if rules.empty and st.button(t("settings.install_defaults")):
        run_save(lambda s: install_defaults_if_empty(s, actor))
    for _, rule in rules.iterrows():
        status = "" if rule["active"] else " (—)"
        with st.expander(f"{rule['name']}{status} · {enum_label(rule['cadence'], Cadence)}"):
            rule_form(rule)
    with st.expander(t("settings.add_rule")):
        rule_form(None)
with terms_tab:
    for _, term in terms.iterrows():
        with st.expander(f"{term['name']} · {term['start_date']} – {term['end_date']}"):
            term_form(term)
    with st.expander(t("settings.add_term")):
        term_form(None)
