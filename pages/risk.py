"""重点关注: children who need attention now, with the reasons."""

from datetime import date

import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session
from db.enums import LeftBehindType
from locales import enum_label, t
from services.compliance.risk import REASONS, risk_list

actor = current_actor()
today = date.today()
st.title(t("risk.title"))
st.caption(t("risk.caption", date=today))

with read_session(ready_engine()) as session:
    rows = risk_list(session, actor, as_of=today)

chosen = st.pills(
    t("risk.filter.reason"),
    list(REASONS),
    selection_mode="multi",
    format_func=lambda code: t(f"risk.reason.{code}"),
    key="risk_reasons",
)
if chosen:
    rows = rows[rows["reasons"].map(lambda reasons: bool(set(reasons) & set(chosen)))]

if rows.empty:
    st.success(t("risk.empty"))
    st.stop()

st.markdown(t("risk.count", n=len(rows)))
columns = ["child_name", "classroom_name", "left_behind_type", "is_key", "last_contact"]
table = rows[[*columns, "reason_text"]].assign(
    left_behind_type=rows["left_behind_type"].map(lambda v: enum_label(v, LeftBehindType))
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "child_name": st.column_config.TextColumn(t("risk.col.child")),
        "classroom_name": st.column_config.TextColumn(t("risk.col.class")),
        "left_behind_type": st.column_config.TextColumn(t("risk.col.type")),
        "is_key": st.column_config.CheckboxColumn(t("risk.col.key")),
        "last_contact": st.column_config.DateColumn(t("risk.col.last_contact")),
        "reason_text": st.column_config.TextColumn(t("risk.col.reasons"), width="large"),
    },
)
