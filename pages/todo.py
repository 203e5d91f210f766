"""我的待办: the children whose contact rules are due or overdue this month, one card per child,
worst first, filterable by class and kind; one tap logs a contact."""

import streamlit as st

from components import feedback, todo_cards
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.clock import school_today
from services.compliance.todo import my_todo
from services.compliance.todo_groups import group_by_child

MAX_CHILDREN = 40

today = school_today()
actor = feedback.page_start(t("todo.title"), t("todo.caption", month=today.strftime("%Y-%m")))
with read_session(ready_engine()) as session:
    todo = my_todo(session, actor, as_of=today)
if todo.empty:
    st.success(t("todo.empty"))
    st.stop()

todo_cards.header(todo)
shown = todo_cards.filters(todo, key="todo.filter")
if shown.empty:
    st.info(t("daily.todo.filtered_empty"))
    st.stop()
if len(shown) != len(todo):
    todo_cards.header(shown)
groups = group_by_child(shown)
for group in groups[:MAX_CHILDREN]:
    todo_cards.child_card(group)
if len(groups) > MAX_CHILDREN:
    st.caption(t("daily.todo.more_children", n=MAX_CHILDREN))
