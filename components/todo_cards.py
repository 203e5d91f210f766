"""我的待办 cards: one bordered card per child and rule that is due or overdue, with a button that
opens the quick contact form preset for that child, counterpart and channel."""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.contact_form import PREFILL_KEY
from components.safe_text import escape_md
from locales import t
from services.compliance.todo_hints import explain


def show(row: Any) -> None:
    """One to-do (a row of services.compliance.todo.my_todo) as a card."""
    with st.container(border=True):
        info, action = st.columns([4, 1], vertical_alignment="center")
        badge = ":red-badge[{}]" if row.status == "overdue" else ":orange-badge[{}]"
        detail = t("todo.due_by", date=row.due_by)
        if row.missed_periods:
            detail = t("todo.missed", n=row.missed_periods) + " · " + detail
        info.markdown(
            f"**{escape_md(row.child_name)}** · {escape_md(row.classroom_name)}"
            f" · {escape_md(row.rule_name)} "
            + badge.format(t(f"todo.status.{row.status}"))
            + (f" :blue-badge[{t('todo.new_record')}]" if row.new_record else "")
        )
        info.caption(f"{row.missing} · {detail}")
        info.caption(" · ".join([explain(row.meets), *(explain(h) for h in row.not_counted)]))
        if action.button(t("todo.log_contact"), key=f"log_{row.child_id}_{row.rule_id}"):
            st.session_state[PREFILL_KEY] = {
                "child_id": int(row.child_id),
                "counterpart": row.counterpart,
                "channel": row.channel,
            }
            try:
                st.switch_page("pages/contacts.py")
            except StreamlitAPIException:  # the contacts page is not this role's
                st.info(t("todo.contacts_unavailable"))
