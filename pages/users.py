"""用户管理 (admin): the school's accounts; add, edit role and classes, disable, reset password."""

import streamlit as st

from components import feedback, tables, user_forms
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.accounts.user_list import (
    TABLE_COLUMNS,
    list_classroom_options,
    list_users,
    user_table,
)

actor = feedback.page_start(t("accounts.users_title"), t("accounts.users_caption"))
user_forms.show_issued_password()

with read_session(ready_engine()) as session:
    rows = list_users(session, actor)
    rooms = list_classroom_options(session, actor)
room_names = {room.id: room.name for room in rooms}

st.subheader(t("accounts.users_table", count=len(rows)))
labels = {c: t(f"accounts.{c}") for c in TABLE_COLUMNS}
tables.show(user_table(rows, rooms), labels, rename=True)

user_forms.new_user_form(actor, room_names)
st.subheader(t("accounts.edit_user"))
user_forms.edit_user_panel(actor, rows, room_names)
