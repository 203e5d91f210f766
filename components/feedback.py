"""One feedback path (DESIGN.md §3): a page action runs in one write transaction, then either a
success notice or one translated message per failure — never a raw exception on the screen.

    done = feedback.submit(lambda s: save_rule(s, actor, data), success=t("settings.saved"))

`submit` returns the action's result, or `FAILED` when a ServiceError (or a database error) was
shown instead; nothing is written then. A success notice survives the `st.rerun()` that follows a
save and is shown by `show_flash()` (called by `page_start`) on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from components.context import current_actor, ready_engine
from components.safe_text import md
from db.engine import read_session, write_session
from locales import t
from services.actor import Actor
from services.errors import ConflictError, Problem, ServiceError, ValidationFailed

_LOG = logging.getLogger(__name__)
FLASH_KEY = "careledger_flash"
T = TypeVar("T")


class _Failed:
    """The result of a `submit` whose action failed (its message is already on screen)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()


def submit(
    action: Callable[[Session], T],
    *,
    success: str | None = None,
    rerun: bool = True,
    where: Any = None,
    on_error: Mapping[type[ServiceError], Callable[[Any], object]] | None = None,
) -> T:
    """Run `action(session)` in one write transaction; show success or the reason it failed.

    `success` is shown after the rerun (or at once with `rerun=False`); `where` is the container
    for messages (default: the page); `on_error` shows some error classes in a page's own words.
    Returns the action's result, or `FAILED`.
    """
    box = where if where is not None else st
    try:
        with write_session(ready_engine()) as session:
            result = action(session)
    except ServiceError as exc:
        own = next((show for kind, show in (on_error or {}).items() if isinstance(exc, kind)), None)
        if own is not None:
            own(exc)
        else:
            show_error(exc, where=box)
        return FAILED
    except SQLAlchemyError:
        # e.g. a unique key taken by a save that raced ours: nothing was written.
        _LOG.exception("page action failed in the database")
        box.error(t("error.database"))
        return FAILED
    if success is not None:
        if rerun:
            flash(success)
        else:
            box.success(success)
    if rerun:
        st.rerun()
    return result


def load_or_stop(action: Callable[[Session], T], *, message: str | None = None) -> T:
    """Run a read `action(session)` the page cannot go on without; a ServiceError shows one
    message (its own, or `message`) and stops the page."""
    try:
        with read_session(ready_engine()) as session:
            return action(session)
    except ServiceError as exc:
        if message is None:
            show_error(exc)
        else:
            st.error(message)
        st.stop()


def show_error(exc: ServiceError, where: Any = None) -> None:
    """One ServiceError as one message; validation problems as a row/column/reason table."""
    box = where if where is not None else st
    if isinstance(exc, ValidationFailed):
        show_problems(exc.problems, where=box)
    elif isinstance(exc, ConflictError):
        box.error(t("error.conflict", count=len(exc.conflicts)))
    else:
        box.error(md(exc.message_key, **exc.params))  # params may hold user text


def show_problems(problems: list[Problem], where: Any = None) -> None:
    """ "Nothing was saved" and the table of what to fix: row, column, value, reason."""
    box = where if where is not None else st
    box.error(t("error.validation_failed", count=len(problems)))
    box.dataframe(problems_frame(problems), hide_index=True, width="stretch")


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problem list as a table: row, column, value, reason (headers in the user's language)."""
    return pd.DataFrame(
        [[p.row, p.column, "" if p.value is None else str(p.value), p.message] for p in problems],
        columns=[t("grid.problem.row"), t("grid.problem.column"), t("grid.problem.value"),
                 t("grid.problem.reason")],
    )  # fmt: skip


def flash(message: str) -> None:
    """Keep a success notice for the next run of this session (it survives `st.rerun()`)."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    """Show and forget the pending success notice, if any."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


def page_start(title: str, caption: str | None = None) -> Actor:
    """The top of every page: the signed-in actor, the title, its caption, a pending notice."""
    actor = current_actor()
    st.title(title)
    if caption:
        st.caption(caption)
    show_flash()
    return actor
