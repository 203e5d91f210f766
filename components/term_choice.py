"""The current-term choice every term-based page shows: the terms the actor may see, the term
running today preselected. One helper, so every page picks "this term" the same way."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from components import filters
from components.context import ready_engine
from db.engine import read_session
from services.actor import Actor
from services.care.participation import current_term_id, term_period, terms_in_view
from services.clock import school_today


def choose_term(
    actor: Actor,
    label: str,
    key: str,
    *,
    where: Any = None,
    empty_message: str | None = None,
    disabled: bool = False,
) -> int | None:
    """A term selectbox (today's term first choice); None, or a stop with `empty_message`, when
    the school has no term yet. `disabled` while the page's grid has unsaved edits."""
    with read_session(ready_engine()) as session:
        terms = terms_in_view(session, actor)
        current = current_term_id(session, actor, school_today())
    if not terms:
        if empty_message is not None:
            st.info(empty_message)
            st.stop()
        return None
    ids = list(terms)
    box = where if where is not None else st
    return box.selectbox(
        label,
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=terms.get,
        key=key,
        placeholder=filters.choose(),
        disabled=disabled,
    )


def term_dates(actor: Actor, term_id: int | None) -> tuple[date, date]:
    """The term's first and last day; without a term, the school year running today (September
    to August), so records can be entered before the school has set up its calendar."""
    if term_id is None:
        today = school_today()
        start = today.year if today.month >= 9 else today.year - 1
        return date(start, 9, 1), date(start + 1, 8, 31)
    with read_session(ready_engine()) as session:
        return term_period(session, actor, term_id)
