"""家校联系记录: a quick-entry form for the phone after a visit, and the contacts grid."""

import streamlit as st

from components import (
    contact_form,
    deleted_rows,
    feedback,
    filters,
    grid,
    page_links,
    profile_card,
)
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.records import children, contacts

actor = feedback.page_start(t("contacts.title"), t("contacts.caption"))
engine = ready_engine()
with read_session(engine) as session:
    choices = children.child_labels(session, actor)
    options = children.filter_options(session, actor)
if actor.role in contacts.EDITORS:
    contact_form.show(actor, choices)
page_links.back_to_todo()  # opened from 我的待办: back in one tap, under the saved contact

st.subheader(t("contacts.grid_title"))
locked = grid.unsaved("contacts")
child_filter = filters.show("contacts.filters", options, default_status=None, disabled=locked)
date_from, date_to = filters.date_range(
    "contacts", t("contacts.date_from"), t("contacts.date_to"), disabled=locked
)
chosen = contacts.ContactFilter(child_filter, date_from, date_to)
with read_session(engine) as session:
    specs = contacts.contact_columns(session, actor, child_filter)
can_edit = actor.role in contacts.EDITORS
if not can_edit:
    st.info(t("contacts.read_only"))
elif not next(s.options for s in specs if s.field == "child"):
    st.caption(t("contacts.filter_to_add"))
page = grid.show(
    grid.GridConfig(
        "contacts",
        specs,
        grid.filtered(contacts.list_contacts, chosen),
        contacts.save_contacts,
        query=chosen,
        label_field="child",
        can_edit=can_edit,
        load_rows=contacts.load_contacts,
    ),
    actor,
)
shown = set(page["child"]) if not page.empty else set()
profile_card.open_button(page, "contacts", {i: n for i, n in choices.items() if n in shown})
if actor.role in contacts.LEADERS:
    deleted_rows.show("contacts", actor, contacts.list_deleted_contacts, contacts.restore_contacts)
