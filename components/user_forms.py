"""The users page's forms: add a user, edit one, reset a password, disable or enable.

Every action goes through feedback.submit; its notice, and a one-time password when the action
issued one, survive the rerun that follows and are shown once (`show_issued_password`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.delta_generator import DeltaGenerator

from components import feedback, filters
from components.form_errors import ONE_MESSAGE_PER_PROBLEM
from components.safe_text import md
from db.enums import Role
from locales import enum_label, t
from locales.values import aside
from services.accounts.session_admin import end_user_sessions, unlock_user
from services.accounts.user_admin import (
    SCHOOL_ROLES,
    IssuedPassword,
    UserDraft,
    create_user,
    reset_password,
    set_user_active,
    update_user,
)
from services.accounts.user_list import UserRow
from services.actor import Actor

ISSUED_KEY = "users.issued"


def show_issued_password() -> None:
    """The one-time password the last action issued, once (its notice is the page's flash)."""
    password = st.session_state.pop(ISSUED_KEY, None)
    if password is not None:
        st.code(password, language=None)


def new_user_form(actor: Actor, room_names: dict[int, str]) -> None:
    """添加用户: an expander with the empty fields and 创建."""
    with (
        st.expander(t("accounts.add_user"), icon=":material/person_add:"),
        st.form("users.new"),
    ):
        draft = user_fields("users.new", None, room_names)
        if st.form_submit_button(t("accounts.create"), type="primary"):
            _run(lambda session: create_user(session, actor, draft), "accounts.created")


def edit_user_panel(actor: Actor, rows: list[UserRow], room_names: dict[int, str]) -> None:
    """Choose a user; edit the fields, reset the password, disable or enable."""
    by_id = {row.id: row for row in rows}
    chosen = st.selectbox(
        t("accounts.choose_user"),
        list(by_id),
        format_func=lambda i: aside(by_id[i].display_name, by_id[i].username),
        key="users.chosen",
        placeholder=filters.choose(),
    )
    if chosen is None:
        return
    row = by_id[chosen]
    with st.form(f"users.edit.{row.id}"):
        draft = user_fields(f"users.edit.{row.id}", row, room_names)
        if st.form_submit_button(t("accounts.save"), type="primary"):
            _run(
                lambda session: update_user(session, actor, row.id, row.version, draft),
                "accounts.saved",
                row.username,
            )
    left, right = st.columns(2)
    if left.button(t("accounts.reset_password"), key=f"users.reset.{row.id}"):
        _run(lambda session: reset_password(session, actor, row.id), "accounts.reset_done")
    toggle, done = (
        ("accounts.disable", "accounts.disabled_done")
        if row.active
        else ("accounts.enable", "accounts.enabled_done")
    )
    own = row.id == actor.user_id  # refused for oneself (user_admin.OwnAccountRefused): no button
    if not own and right.button(t(toggle), key=f"users.toggle.{row.id}"):
        _run(
            lambda session: set_user_active(session, actor, row.id, not row.active),
            done,
            row.username,
        )
    # Sign-ins (services/accounts/session_admin.py): lift a lock, end the user's sessions.
    if row.locked and left.button(t("accounts.unlock"), key=f"users.unlock.{row.id}"):
        _run(lambda s: unlock_user(s, actor, row.id), "accounts.unlocked_done", row.username)
    if not own and right.button(t("accounts.end_sessions"), key=f"users.end_sessions.{row.id}"):
        _run(lambda s: end_user_sessions(s, actor, row.id), "accounts.sessions_ended", row.username)


def _classrooms(
    where: DeltaGenerator,
    label_key: str,
    room_names: dict[int, str],
    chosen: Sequence[int],
    key: str,
) -> list[int]:
    """A multiselect of the school's classes, by name; returns the chosen ids."""
    return where.multiselect(
        t(label_key),
        list(room_names),
        default=chosen,
        format_func=room_names.get,
        key=key,
        placeholder=filters.choose_many(),
    )


def user_fields(key: str, row: UserRow | None, room_names: dict[int, str]) -> UserDraft:
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
        index=SCHOOL_ROLES.index(row.role if row and row.role in SCHOOL_ROLES else Role.TEACHER),
        format_func=enum_label,
        key=f"{key}.role",
        placeholder=filters.choose(),
    )
    phone = right.text_input(
        t("accounts.phone"), (row.phone or "") if row else "", key=f"{key}.phone"
    )
    head_ids, taught_ids = (
        (row.head_of_classroom_ids, row.taught_classroom_ids) if row else ((), ())
    )
    head_of = _classrooms(left, "accounts.head_of", room_names, head_ids, f"{key}.head_of")
    taught = _classrooms(right, "accounts.taught", room_names, taught_ids, f"{key}.taught")
    return UserDraft(username, name, role, phone, frozenset(head_of), frozenset(taught))


def _run(action: Callable[[Session], object], done_key: str, username: str = "") -> None:
    """One transaction; on success the notice (and an issued password) outlive the rerun."""
    result = feedback.submit(action, rerun=False, on_error=ONE_MESSAGE_PER_PROBLEM)
    if result is feedback.FAILED:
        return
    if isinstance(result, IssuedPassword):
        st.session_state[ISSUED_KEY] = result.one_time_password
        username = result.username
    feedback.flash(md(done_key, username=username))
    st.rerun()
