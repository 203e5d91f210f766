"""我的待办: children whose contact rules are due or overdue this month; one tap logs a contact."""

from datetime import date

import streamlit as st

from components import feedback, todo_cards
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.compliance.todo import my_todo

MAX_ROWS = 100

today = date.today()
actor = feedback.page_start(t("todo.title"), t("todo.caption", month=today.strftime("%Y-%m")))
with read_session(ready_engine()) as session:
    todo = my_todo(session, actor, as_of=today)
if todo.empty:
    st.success(t("todo.empty"))
    st.stop()

overdue = int((todo["status"] == "overdue").sum())
st.markdown(t("todo.count", n=len(todo), overdue=overdue))
for row in todo.head(MAX_ROWS).itertuples():
    todo_cards.show(row)
if len(todo) > MAX_ROWS:
    st.caption(t("todo.more", n=MAX_ROWS))
