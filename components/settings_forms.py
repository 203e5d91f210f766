"""The settings page's forms: one expander per contact rule and per term, each with its own save,
plus an empty one to add. Every save goes through feedback.submit (audited in the service)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components import feedback, filters
from components.safe_text import escape_md
from db.enums import Cadence, ContactChannel, Counterpart, RuleAppliesTo, RuleWho, TermPhase
from locales import enum_label, enum_options, t
from services.actor import Actor
from services.clock import school_today
from services.compliance.settings import (
    PHASE_FIELDS,
    RuleInput,
    TermInput,
    format_holidays,
    install_defaults_if_empty,
    parse_holidays,
    save_rule,
    save_term,
)


def rule_list(actor: Actor, rules: pd.DataFrame) -> None:
    """Every rule in an expander (name, active mark, cadence), then 添加规则."""
    st.caption(t("settings.rules_help"))
    if rules.empty and st.button(t("settings.install_defaults")):
        _save(lambda s: install_defaults_if_empty(s, actor))
    for _, rule in rules.iterrows():
        status = "" if rule["active"] else " (—)"
        label = f"{escape_md(rule['name'])}{status} · {enum_label(rule['cadence'], Cadence)}"
        with st.expander(label):
            rule_form(actor, rule)
    with st.expander(t("settings.add_rule")):
        rule_form(actor, None)


def term_list(actor: Actor, terms: pd.DataFrame) -> None:
    """Every term in an expander (name, dates), then 添加学期."""
    for _, term in terms.iterrows():
        with st.expander(f"{escape_md(term['name'])} · {term['start_date']} – {term['end_date']}"):
            term_form(actor, term)
    with st.expander(t("settings.add_term")):
        term_form(actor, None)


def rule_form(actor: Actor, rule: pd.Series | None) -> None:
    """Edit `rule` (a row of list_rules), or add one when it is None."""
    values = rule if rule is not None else pd.Series(dtype=object)
    with st.form(f"rule_{rule['id']}" if rule is not None else "rule_new"):
        name = st.text_input(t("settings.rule.name"), values.get("name", ""))
        counterparts = _enum_multiselect("counterparts", Counterpart, values)
        channels = _enum_multiselect("channels", ContactChannel, values)
        left, middle, right = st.columns(3)
        cadence = _enum_select(left, "cadence", Cadence, values, Cadence.MONTHLY)
        phase = middle.selectbox(
            t("settings.rule.phase"),
            [None, *PHASE_FIELDS],
            index=[None, *PHASE_FIELDS].index(
                values.get("phase") if isinstance(values.get("phase"), str) else None
            ),
            format_func=lambda v: (
                t("settings.rule.phase_all") if v is None else enum_label(v, TermPhase)
            ),
            placeholder=filters.choose(),
        )
        who = _enum_select(right, "who", RuleWho, values, RuleWho.HEAD_TEACHER)
        applies_to = _enum_select(
            left, "applies_to", RuleAppliesTo, values, RuleAppliesTo.LEFT_BEHIND
        )
        sort_order = middle.number_input(
            t("settings.rule.sort_order"), value=int(values.get("sort_order", 0) or 0), step=1
        )
        active = right.checkbox(t("settings.rule.active"), value=bool(values.get("active", True)))
        if st.form_submit_button(t("settings.save")):
            data = RuleInput(
                name, counterparts, channels, who, cadence, phase, applies_to, active, sort_order
            )
            rule_id, version = _identity(rule)
            _save(lambda s: save_rule(s, actor, data, rule_id, version))


def term_form(actor: Actor, term: pd.Series | None) -> None:
    """Edit `term` (a row of list_terms), or add one when it is None."""
    today = school_today()
    values = term if term is not None else pd.Series(dtype=object)
    with st.form(f"term_{term['id']}" if term is not None else "term_new"):
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
            term_id, version = _identity(term)

            def save(session: Session) -> None:
                data = TermInput(name, start, end, phases, parse_holidays(holidays))
                save_term(session, actor, data, term_id, version)

            _save(save)


def _save(action: Callable[[Session], object]) -> None:
    feedback.submit(action, success=t("settings.saved"))


def _identity(row: pd.Series | None) -> tuple[int | None, int | None]:
    """(id, version the user saw) of an existing row; (None, None) for a new one."""
    return (None, None) if row is None else (int(row["id"]), int(row["version"]))


def _enum_select(box: Any, field: str, enum: type[Enum], values: pd.Series, default: Enum) -> str:
    """The rule's `field` as a selectbox over `enum` (translated labels), preset from `values`."""
    options = list(enum_options(enum))
    return box.selectbox(
        t(f"settings.rule.{field}"),
        options,
        index=options.index(values.get(field, default.value)),
        format_func=lambda v: enum_label(v, enum),
        placeholder=filters.choose(),
    )


def _enum_multiselect(field: str, enum: type[Enum], values: pd.Series) -> list[str]:
    """The rule's `field` as a multiselect over `enum` with translated labels."""
    return st.multiselect(
        t(f"settings.rule.{field}"),
        list(enum_options(enum)),
        default=list(values.get(field, []) or []),
        format_func=lambda v: enum_label(v, enum),
        placeholder=filters.choose_many(),
    )
