"""家校联系记录: a quick-entry form for the phone after a visit, and the contacts grid."""

from datetime import date

import streamlit as st

from components import filters, grid
from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import ContactChannel, Counterpart, Role
from locales import enum_label, enum_options, t
from services.errors import NotAllowed, ValidationFailed
from services.records import children, contacts

PRESELECT_KEY = "contacts.child_id"  # set by the child profile's "log a contact" action
PREFILL_KEY = "contact_prefill"  # set by 我的待办: {"child_id", "counterpart", "channel"}

actor = current_actor()
engine = ready_engine()
st.title(t("contacts.title"))
st.caption(t("contacts.caption"))

with read_session(engine) as session:
    choices = children.child_labels(session, actor)
    options = children.filter_options(session, actor)

if actor.role in contacts.EDITORS:
    on_the_road = actor.role in (Role.HEAD_TEACHER, Role.TEACHER)
    with st.expander(t("contacts.quick.title"), expanded=on_the_road):
        if not choices:
            st.info(t("contacts.quick.no_children"))
        else:
            ids = list(choices)
            # Coming from a child's profile or a to-do: preselect (keyed, so the choice holds).
            prefill = st.session_state.pop(PREFILL_KEY, None) or {}
            wanted = st.session_state.pop(PRESELECT_KEY, None) or prefill.get("child_id")
            if wanted in ids:
                st.session_state["contacts.quick.child"] = wanted
            channels = enum_options(ContactChannel)
            # The guardian first: the usual counterpart after a home visit, and the default.
            counterparts = {
                Counterpart.GUARDIAN.value: enum_label(Counterpart.GUARDIAN),
                **enum_options(Counterpart),
            }
            if prefill.get("channel") in channels:
                st.session_state["contacts.quick.channel"] = prefill["channel"]
            if prefill.get("counterpart") in counterparts:
                st.session_state["contacts.quick.counterpart"] = prefill["counterpart"]
            with st.form("contacts.quick", clear_on_submit=True, border=False):
                child_id = st.selectbox(
                    t("contacts.quick.child"), ids, format_func=choices.get,
                    key="contacts.quick.child",
                )  # fmt: skip
                channel = st.selectbox(
                    t("contacts.quick.channel"), list(channels), format_func=channels.get,
                    key="contacts.quick.channel",
                )  # fmt: skip
                counterpart = st.selectbox(
                    t("contacts.quick.counterpart"), list(counterparts),
                    format_func=counterparts.get, key="contacts.quick.counterpart",
                )  # fmt: skip
                when = st.date_input(
                    t("contacts.quick.date"), value=date.today(), max_value=date.today()
                )
                summary = st.text_area(t("contacts.quick.summary"), height=90)
                concerns = st.text_area(t("contacts.quick.concerns"), height=68)
                follow_up = st.date_input(t("contacts.quick.follow_up_date"), value=None)
                submitted = st.form_submit_button(
                    t("contacts.quick.save"), type="primary", width="stretch"
                )
            if submitted:
                try:
                    with write_session(engine) as session:
                        contacts.record_contact(
                            session, actor, child_id, when, channel, counterpart,
                            summary=summary, concerns=concerns, follow_up_date=follow_up,
                        )  # fmt: skip
                except ValidationFailed as exc:
                    st.error(t("error.validation_failed", count=len(exc.problems)))
                    st.dataframe(grid.problems_frame(exc.problems), hide_index=True)
                except NotAllowed as exc:
                    st.error(t(exc.message_key))
                else:
                    st.success(t("contacts.quick.saved", child=choices[child_id], date=when))

st.subheader(t("contacts.grid_title"))
locked = grid.unsaved("contacts")
child_filter = filters.show("contacts.filters", options, default_status=None, disabled=locked)
left, right = st.columns(2)
date_from = left.date_input(
    t("contacts.date_from"), value=None, key="contacts.from", disabled=locked
)
date_to = right.date_input(t("contacts.date_to"), value=None, key="contacts.to", disabled=locked)
chosen = contacts.ContactFilter(child_filter, date_from, date_to)
with read_session(engine) as session:
    specs = contacts.contact_columns(session, actor, child_filter)
can_edit = actor.role in contacts.EDITORS
if not can_edit:
    st.info(t("contacts.read_only"))
elif not next(s.options for s in specs if s.field == "child"):
    st.caption(t("contacts.filter_to_add"))
grid.show(
    "contacts",
    specs,
    actor,
    engine,
    lambda session, who, offset, limit: contacts.list_contacts(session, who, chosen, offset, limit),
    contacts.save_contacts,
    query=chosen,
    label_field="child",
    can_edit=can_edit,
    load_rows=contacts.load_contacts,
)
if actor.role in contacts.LEADERS:
    grid.show_deleted(
        "contacts", actor, engine, contacts.list_deleted_contacts, contacts.restore_contacts
    )
