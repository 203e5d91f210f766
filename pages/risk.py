"""重点关注: children who need attention now, with the reasons and, beside them, the action."""

import streamlit as st

from components import feedback, filters, risk_rows, tables
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.clock import school_today
from services.compliance.risk import risk_by_class, risk_list

MAX_CHILDREN = 60

today = school_today()
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
risk_rows.show(rows, actor, MAX_CHILDREN)
