"""The quick contact form: right after a home visit or a call, on the phone — which child, how,
with whom, what was said, what worries, when to follow up.

Other pages open it preset: the child's profile sets `PRESELECT_KEY` (a child id), 我的待办 sets
`PREFILL_KEY` ({"child_id", "counterpart", "channel"}); both are read once, then forgotten.
"""

from __future__ import annotations

import streamlit as st

from components import feedback, filters
from components.safe_text import md
from db.enums import ContactChannel, ContactOutcome, Counterpart, Role
from locales import enum_label, enum_options, t
from services.actor import Actor
from services.clock import school_today
from services.records.contacts import record_contact

PRESELECT_KEY = "contacts.child_id"
PREFILL_KEY = "contact_prefill"
KEY = "contacts.quick"
ON_THE_ROAD = (Role.HEAD_TEACHER, Role.TEACHER)  # they log from the phone: the form starts open


def show(actor: Actor, choices: dict[int, str]) -> None:
    """The form in an expander; a saved contact is confirmed under it and the form is cleared."""
    with st.expander(t("contacts.quick.title"), expanded=actor.role in ON_THE_ROAD):
        if not choices:
            st.info(t("contacts.quick.no_children"))
            return
        channels = enum_options(ContactChannel)
        # The guardian first: the usual counterpart after a home visit, and the default.
        counterparts = {
            Counterpart.GUARDIAN.value: enum_label(Counterpart.GUARDIAN),
            **enum_options(Counterpart),
        }
        _preset(list(choices), channels, counterparts)
        with st.form(KEY, clear_on_submit=True, border=False):
            child_id = filters.pick(t("contacts.quick.child"), choices, key=f"{KEY}.child")
            channel = filters.pick(t("contacts.quick.channel"), channels, key=f"{KEY}.channel")
            counterpart = filters.pick(
                t("contacts.quick.counterpart"), counterparts, key=f"{KEY}.counterpart"
            )
            when = st.date_input(
                t("contacts.quick.date"), value=school_today(), max_value=school_today()
            )
            outcomes = enum_options(ContactOutcome)  # say something: a summary or an outcome
            outcome = st.selectbox(
                t("contacts.quick.outcome"),
                list(outcomes),
                format_func=outcomes.get,
                index=None,
                placeholder=t("contacts.quick.outcome_none"),
            )
            summary = st.text_area(t("contacts.quick.summary"), height=90)
            concerns = st.text_area(t("contacts.quick.concerns"), height=68)
            follow_up = st.date_input(t("contacts.quick.follow_up_date"), value=None)
            submitted = st.form_submit_button(
                t("contacts.quick.save"), type="primary", width="stretch"
            )
        if submitted:
            feedback.submit(
                lambda session: record_contact(
                    session,
                    actor,
                    child_id,
                    when,
                    channel,
                    counterpart,
                    summary=summary,
                    concerns=concerns,
                    follow_up_date=follow_up,
                    outcome=outcome,
                ),
                success=md("contacts.quick.saved", child=choices[child_id], date=when),
                rerun=False,
            )


def _preset(ids: list[int], channels: dict[str, str], counterparts: dict[str, str]) -> None:
    """Coming from a child's profile or a to-do: preselect (keyed, so the choice holds)."""
    prefill = st.session_state.pop(PREFILL_KEY, None) or {}
    wanted = st.session_state.pop(PRESELECT_KEY, None) or prefill.get("child_id")
    if wanted in ids:
        st.session_state[f"{KEY}.child"] = wanted
    if prefill.get("channel") in channels:
        st.session_state[f"{KEY}.channel"] = prefill["channel"]
    if prefill.get("counterpart") in counterparts:
        st.session_state[f"{KEY}.counterpart"] = prefill["counterpart"]
