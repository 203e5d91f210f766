"""重点关注: children who need attention now, with the reasons."""

from datetime import date

import streamlit as st

from components import feedback, filters, tables
from components.context import ready_engine
from db.engine import read_session
from db.enums import LeftBehindType
from locales import enum_label, t
from services.compliance.risk import risk_by_class, risk_list

today = date.today()
actor = feedback.page_start(t("risk.title"), t("risk.caption", date=today))
if actor.demo_mode:  # a projector: counts per class, no single child (DESIGN §7)
    with read_session(ready_engine()) as session:
        counts = risk_by_class(session, actor, as_of=today)
    st.caption(t("risk.demo_caption"))
    labels = {
        "classroom_name": t("risk.col.class"),
        "children": t("risk.col.children"),
        "reason_text": t("risk.col.reasons"),
    }
    tables.show(counts, labels, widths={"reason_text": "large"})
    st.stop()
with read_session(ready_engine()) as session:
    rows = risk_list(session, actor, as_of=today)
rows = filters.risk_reasons(rows, key="risk_reasons")
if rows.empty:
    st.success(t("risk.empty"))
    st.stop()

st.markdown(t("risk.count", n=len(rows)))
labels = {
    "child_name": t("risk.col.child"),
    "classroom_name": t("risk.col.class"),
    "left_behind_type": t("risk.col.type"),
    "is_key": t("risk.col.key"),
    "last_contact": t("risk.col.last_contact"),
    "reason_text": t("risk.col.reasons"),
}
shown = rows.assign(
    left_behind_type=rows["left_behind_type"].map(lambda v: enum_label(v, LeftBehindType))
)
tables.show(shown, labels, widths={"reason_text": "large"})
