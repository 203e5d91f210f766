"""心理辅导记录: counsellor, principal and admin only; every view is audited by the service."""

import streamlit as st

from components import counselling_forms, feedback, filters, tables
from components.context import ready_engine
from db.engine import write_session
from db.enums import RiskLevel
from locales import enum_label, enum_options, t
from services.care import counselling

COLUMNS = ("note_date", "child", "classroom", "risk_level", "counsellor", "summary")

actor = feedback.page_start(t("counselling.title"), t("counselling.caption"))
engine = ready_engine()
rooms, high_risk = feedback.load_or_stop(
    lambda session: (
        counselling.note_classrooms(session, actor),
        counselling.high_risk_child_ids(session, actor),
    )
)

st.info(t("counselling.high_risk_count", count=len(high_risk)))
risks = {None: t("counselling.filter.all_risks"), **enum_options(RiskLevel)}
risk = filters.pick(t("counselling.filter.risk"), risks, key="counselling.risk")
child_id = counselling_forms.pick_child(actor, rooms, "counselling.filter", allow_all=True)
with write_session(engine) as session:  # a write: the view itself is audited
    notes = counselling.list_notes(session, actor, child_id, RiskLevel(risk) if risk else None)
st.subheader(t("counselling.list"))
st.caption(t("counselling.audit_notice"))
if notes.empty:
    st.info(t("counselling.empty"))
else:
    shown = notes.assign(risk_level=[enum_label(RiskLevel(r)) for r in notes["risk_level"]])
    tables.show(shown, {c: t(f"counselling.col.{c}") for c in COLUMNS})
    counselling_forms.edit_note(actor, notes)

st.subheader(t("counselling.new"))
counselling_forms.new_note(actor, rooms)
