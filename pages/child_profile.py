"""一人一档: one child's archive card, history, pairing, contacts, activities, health checks, aid,
and (for counsellor/principal/admin, audited) counselling notes; quick actions to log or edit.
The child is in the address (`?child=123`): a link can be shared; one outside the reader's scope
is refused and audited."""

import streamlit as st

from components import contact_form, feedback, page_links, profile_card
from components.context import ready_engine
from db.engine import read_session, write_session
from locales import t
from services.care import profile
from services.records import children, contacts
from services.records.child_links import open_child_link

actor = feedback.page_start(t("profile.title"))
engine = ready_engine()
wanted = page_links.child_from_url()
with read_session(engine) as session:
    choices = children.child_labels(session, actor, enrolled_only=False)
if wanted is not None and wanted not in choices:
    with write_session(engine) as session:  # the refusal is written to the audit log
        open_child_link(session, actor, wanted)
    st.error(t("daily.profile.refused", child=wanted if wanted > 0 else "—"))
    page_links.link(page_links.PROFILE_PAGE, t("daily.profile.pick_own"), icon=":material/badge:")
    st.stop()
if not choices:
    st.info(t("profile.none"))
    st.stop()
child_id = profile_card.choose_child(choices, wanted)
card = feedback.load_or_stop(
    lambda session: profile.child_profile(session, actor, child_id),
    message=t("profile.not_allowed"),
)

profile_card.heading(card)
log_col, edit_col, _ = st.columns([1, 1, 3])
if actor.role in contacts.EDITORS and log_col.button(t("profile.log_contact"), type="primary"):
    st.session_state[contact_form.PRESELECT_KEY] = child_id
    st.switch_page("pages/contacts.py")
if actor.role in children.EDITORS and edit_col.button(t("profile.edit")):
    st.session_state["children.filters.search"] = card.student_no
    st.switch_page("pages/children.py")
profile_card.tabs(card, actor)
