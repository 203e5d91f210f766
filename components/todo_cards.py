"""我的待办, made for a phone: the filters (class, kind of duty) with their counts, and one bordered
card per child — the name opens 一人一档, each open duty says what is missing and which contact
would meet it, and 记录联系 opens the quick contact form preset for that child, counterpart and
channel (with a link back here)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components import page_links
from components.contact_form import PREFILL_KEY
from components.safe_text import escape_md
from locales import t
from services.compliance import todo_groups
from services.compliance.todo_groups import ChildDuties
from services.compliance.todo_hints import explain


def filters(todo: pd.DataFrame, key: str) -> pd.DataFrame:
    """Class (when there are several) and kind pills, each option with its count of duties (待办项,
    as the header and the cards' badges count); the rows kept."""
    rooms = todo_groups.classrooms(todo)
    room = None
    if len(rooms) > 1:
        per_room = todo["classroom_name"].value_counts()
        room = st.pills(
            t("daily.todo.filter_class"),
            rooms,
            format_func=lambda r: f"{escape_md(r)} {per_room.get(r, 0)}",
            key=f"{key}.class",
        )
    kinds = todo_groups.kinds(todo)
    per_kind = todo_groups.filter_todo(todo, classroom=room)["rule_id"].value_counts()
    rule_id = st.pills(
        t("daily.todo.filter_kind"),
        list(kinds),
        format_func=lambda r: f"{escape_md(kinds[r])} {per_kind.get(r, 0)}",
        key=f"{key}.kind",
    )
    return todo_groups.filter_todo(todo, classroom=room, rule_id=rule_id)


def header(todo: pd.DataFrame) -> None:
    """Children and duties in the (filtered) list, the duties split as the cards' badges are
    (overdue, still due), so the header's numbers are the badges' sums."""
    counts = todo_groups.counts(todo)
    st.markdown(
        t(
            "daily.todo.header",
            children=counts.children,
            duties=counts.duties,
            overdue=counts.overdue,
            due=counts.duties - counts.overdue,
        )
    )


def child_card(group: ChildDuties) -> None:
    """One child: name (opens 一人一档), class, badges; then each open duty with its button."""
    with st.container(border=True, key=f"todo_child_{group.child_id}"):
        page_links.child_link(group.child_id, group.child_name)
        badges = [escape_md(group.classroom_name or "")]
        if group.overdue:
            badges.append(f":red-badge[{t('daily.todo.child_overdue', n=group.overdue)}]")
        open_duties = len(group.duties) - group.overdue
        if open_duties:
            badges.append(f":orange-badge[{t('daily.todo.child_due', n=open_duties)}]")
        if group.new_record:
            badges.append(f":blue-badge[{t('todo.new_record')}]")
        st.markdown(" ".join(badges))
        for row in group.duties.itertuples():
            _duty(row)


def _duty(row: Any) -> None:
    info, action = st.columns([4, 1], vertical_alignment="center")
    badge = ":red-badge[{}]" if row.status == "overdue" else ":orange-badge[{}]"
    detail = t("todo.due_by", date=row.due_by)
    if row.missed_periods:
        detail = t("todo.missed", n=row.missed_periods) + " · " + detail
    info.markdown(f"**{escape_md(row.rule_name)}** " + badge.format(t(f"todo.status.{row.status}")))
    rule_words = explain(row.meets)
    if row.excludes is not None:
        rule_words += t("common.clause_separator") + explain(row.excludes)
    info.caption(f"{rule_words} · {detail}")
    not_counted = row.not_counted if isinstance(row.not_counted, tuple) else ()
    if not_counted:
        info.caption("；".join(explain(h) for h in not_counted))
    if action.button(t("todo.log_contact"), key=f"log_{row.child_id}_{row.rule_id}"):
        st.session_state[PREFILL_KEY] = {
            "child_id": int(row.child_id),
            "counterpart": row.counterpart,
            "channel": row.channel,
        }
        page_links.open_page(
            page_links.CONTACTS_PAGE, {page_links.FROM_PARAM: page_links.FROM_TODO}
        )
