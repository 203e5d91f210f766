"""我的待办: children whose contact rules are due or overdue this month; one tap logs a contact."""

from datetime import date

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.context import current_actor, ready_engine
from db.engine import read_session
from locales import t
from services.compliance.todo import my_todo

PREFILL_KEY = "contact_prefill"  # read by pages/contacts.py
MAX_ROWS = 100

actor = current_actor()
today = date.today()
st.title(t("todo.title"))
st.caption(t("todo.caption", month=today.strftime("%Y-%m")))

with read_session(ready_engine()) as session:
    todo = my_todo(session, actor, as_of=today)

if todo.empty:
    st.success(t("todo.empty"))
    st.stop()

overdue = int((todo["status"] == "overdue").sum())
st.markdown(t("todo.count", n=len(todo), overdue=overdue))
for row in todo.head(MAX_ROWS).itertuples():
    with st.container(border=True):
        info, action = st.columns([4, 1], vertical_alignment="center")
        badge = ":red-badge[{}]" if row.status == "overdue" else ":orange-badge[{}]"
        detail = t("todo.due_by", date=row.due_by)
        if row.missed_periods:
            detail = t("todo.missed", n=row.missed_periods) + " · " + detail
        info.markdown(
            f"**{row.child_name}** · {row.classroom_name or ''} · {row.rule_name} "
            + badge.format(t(f"todo.status.{row.status}"))
        )
        info.caption(f"{row.missing} · {detail}")
        if action.button(t("todo.log_contact"), key=f"log_{row.child_id}_{row.rule_id}"):
            st.session_state[PREFILL_KEY] = {
                "child_id": int(row.child_id),
                "counterpart": row.counterpart,
                "channel": row.channel,
            }
            try:
                st.switch_page("pages/contacts.py")
            except StreamlitAPIException:
                st.info(t("todo.contacts_unavailable"))
if len(todo) > MAX_ROWS:
    st.caption(t("todo.more", n=MAX_ROWS))
