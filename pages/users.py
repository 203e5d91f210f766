"""用户管理 (admin): the school's accounts; add, edit role and classes, disable, reset password."""

from collections.abc import Callable

import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from locales import enum_label, t
from services.accounts.user_admin import (
    SCHOOL_ROLES,
    UserDraft,
    create_user,
    reset_password,
    set_user_active,
    update_user,
)
from services.accounts.user_list import (
    TABLE_COLUMNS,
    UserRow,
    list_classroom_options,
    list_users,
    user_table,
)
from services.errors import ConflictError, ServiceError, ValidationFailed

ISSUED_KEY = "users.issued"
DONE_KEY = "users.done"

actor = current_actor()
engine = ready_engine()
st.title(t("accounts.users_title"))
st.caption(t("accounts.users_caption"))


def run(action: Callable, done: tuple[str, str] | None = None) -> None:
    """One transaction per button; problems become one message each, success reruns."""
    try:
        with write_session(engine) as session:
            issued = action(session)
    except ValidationFailed as err:
        for problem in err.problems:
            st.error(problem.message)
        return
    except ConflictError:
        st.error(t("error.conflict", count=1))
        return
    except ServiceError as err:
        st.error(t(err.message_key))
        return
    if issued is not None:
        st.session_state[ISSUED_KEY] = (issued.username, issued.one_time_password, done)
    elif done is not None:
        st.session_state[DONE_KEY] = done
    st.rerun()


issued = st.session_state.pop(ISSUED_KEY, None)
if issued is not None:
    username, password, done = issued
    st.success(t(done[0] if done else "accounts.created", username=username))
    st.code(password, language=None)
done = st.session_state.pop(DONE_KEY, None)
if done is not None:
    st.success(t(done[0], username=done[1]))

with read_session(engine) as session:
    rows = list_users(session, actor)
    rooms = list_classroom_options(session, actor)
room_names = {room.id: room.name for room in rooms}

st.subheader(t("accounts.users_table", count=len(rows)))
st.dataframe(
    user_table(rows, rooms).rename(columns={c: t(f"accounts.{c}") for c in TABLE_COLUMNS}),
    hide_index=True,
    width="stretch",
)


def user_fields(key: str, row: UserRow | None) -> UserDraft:
    """The editable fields of a user (new when `row` is None)."""
    left, right = st.columns(2)
    username = left.text_input(
        t("accounts.username"),
        row.username if row else "",
        disabled=row is not None,
        key=f"{key}.username",
    )
    name = right.text_input(
        t("accounts.display_name"), row.display_name if row else "", key=f"{key}.name"
    )
    role = left.selectbox(
        t("accounts.role"),
        SCHOOL_ROLES,
        index=SCHOOL_ROLES.index(row.role) if row and row.role in SCHOOL_ROLES else 3,
        format_func=enum_label,
        key=f"{key}.role",
    )
    phone = right.text_input(
        t("accounts.phone"), (row.phone or "") if row else "", key=f"{key}.phone"
    )
    head_of = left.multiselect(
        t("accounts.head_of"),
        list(room_names),
        default=row.head_of_classroom_ids if row else [],
        format_func=room_names.get,
        key=f"{key}.head_of",
    )
    taught = right.multiselect(
        t("accounts.taught"),
        list(room_names),
        default=row.taught_classroom_ids if row else [],
        format_func=room_names.get,
        key=f"{key}.taught",
    )
    return UserDraft(username, name, role, phone, frozenset(head_of), frozenset(taught))


with (
    st.expander(t("accounts.add_user"), icon=":material/person_add:"),
    st.form("users.new"),
):
    new_user = user_fields("users.new", None)
    if st.form_submit_button(t("accounts.create"), type="primary"):
        run(lambda session: create_user(session, actor, new_user))

st.subheader(t("accounts.edit_user"))
by_id = {row.id: row for row in rows}
chosen = st.selectbox(
    t("accounts.choose_user"),
    list(by_id),
    format_func=lambda i: f"{by_id[i].display_name}（{by_id[i].username}）",
    key="users.chosen",
)
if chosen is not None:
    row = by_id[chosen]
    with st.form(f"users.edit.{row.id}"):
        draft = user_fields(f"users.edit.{row.id}", row)
        if st.form_submit_button(t("accounts.save"), type="primary"):
            run(
                lambda session: update_user(session, actor, row.id, row.version, draft),
                ("accounts.saved", row.username),
            )
    left, right = st.columns(2)
    if left.button(t("accounts.reset_password"), key=f"users.reset.{row.id}"):
        run(lambda session: reset_password(session, actor, row.id), ("accounts.reset_done", ""))
    toggle = "accounts.enable" if not row.active else "accounts.disable"
    if right.button(t(toggle), key=f"users.toggle.{row.id}"):
        message = "accounts.enabled_done" if not row.active else "accounts.disabled_done"
        run(
            lambda session: set_user_active(session, actor, row.id, not row.active),
            (message, row.username),
        )
