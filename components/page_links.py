"""Links between pages: a child's name opens 一人一档 at `?child=<id>`, an action opens the page
that does it, and the contact form can send the teacher back to 我的待办 in one tap.

A link is drawn only when the target page is one of the role's pages (st.page_link refuses
others); otherwise the label is shown as plain text. The address carries the record, so a link
can be copied and sent to a colleague — who sees the record only if their role allows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.safe_text import escape_md
from locales import t

ROOT = Path(__file__).resolve().parents[1]


def page_path(name: str) -> str:
    """pages/<name>.py as an absolute path: the same page whichever script is the entry point
    (app.py, or a test's navigation around one page)."""
    return str(ROOT / "pages" / f"{name}.py")


PROFILE_PAGE = page_path("child_profile")
TODO_PAGE = page_path("todo")
CONTACTS_PAGE = page_path("contacts")
PAIRINGS_PAGE = page_path("pairings")
RISK_PAGE = page_path("risk")
COUNSELLING_PAGE = page_path("counselling")
CHILD_PARAM = "child"
FROM_PARAM = "from"
FROM_TODO = "todo"
INVALID = -1  # ?child= that is not a number


def link(
    page: str,
    label: str,
    params: dict[str, str] | None = None,
    *,
    icon: str | None = None,
    where: Any = None,
) -> bool:
    """A link to `page` (with query `params`); plain text when the role has no such page."""
    box = where if where is not None else st
    try:
        box.page_link(page, label=label, query_params=params, icon=icon)
    except StreamlitAPIException:
        box.markdown(label)
        return False
    return True


def child_link(child_id: int, name: str, *, where: Any = None) -> bool:
    """The child's name, opening their 一人一档."""
    return link(
        PROFILE_PAGE,
        f"**{escape_md(name)}**",
        {CHILD_PARAM: str(int(child_id))},
        icon=":material/badge:",
        where=where,
    )


def child_from_url() -> int | None:
    """The child named in the address (`?child=123`): its id, None when absent, INVALID when
    the value is not a number."""
    raw = st.query_params.get(CHILD_PARAM)
    if raw is None or raw == "":
        return None
    return int(raw) if str(raw).isdigit() else INVALID


def show_child_in_url(child_id: int) -> None:
    """Keep the address on the child shown, so it can be copied and shared."""
    if st.query_params.get(CHILD_PARAM) != str(child_id):
        st.query_params[CHILD_PARAM] = str(child_id)


def open_page(page: str, params: dict[str, str] | None = None) -> None:
    """Go to `page` now (from a button); a message instead when it is not this role's page."""
    try:
        st.switch_page(page, query_params=params)
    except StreamlitAPIException:
        st.info(t("daily.page_unavailable"))


def back_to_todo() -> None:
    """On the contacts page opened from 我的待办: one tap back to the to-do."""
    if st.query_params.get(FROM_PARAM) == FROM_TODO:
        link(TODO_PAGE, t("daily.back_to_todo"), icon=":material/arrow_back:")
