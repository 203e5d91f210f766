"""The one editable grid: st.data_editor driven by a column spec, saved through a service.

How to use it for a table (see pages/children.py):

    from components import grid
    from services.records.grid_rows import GridChanges, Page, SaveResult
    from services.records.specs import ColumnSpec, ColumnType

    SPECS = [ColumnSpec("check_date", "health.col.date", ColumnType.DATE, required=True), ...]

    def load_page(session, actor, offset, limit) -> Page:        # service: one page of rows,
        ...                                                      # frame with "id", "version",
                                                                 # and the spec fields
    def save(session, actor, changes: GridChanges) -> SaveResult:  # service: check_changes(),
        ...                                                         # then update_row/create_row/
                                                                    # soft_delete_row; raise
                                                                    # ValidationFailed/ConflictError
    grid.show(grid.GridConfig("health", SPECS, load_page, save, query=filters), actor)

What the component does, so services don't have to:
- shows one page of rows (default 100; the pager sits above the grid) and nothing more;
- keeps the frame it passed to the editor unchanged while there are unsaved edits, so positions
  stay valid and the `version` the user saw travels with every changed row;
- maps the editor's row positions back to database ids (`grid_state.collect_changes`, plain);
- 保存 runs `save(session, actor, changes)` through `feedback.submit` (one write transaction);
  problems (row, column, value, reason) are listed and the edits stay in the grid; conflicts name
  the row, who changed it and when, and offer to reload just that row (needs `load_rows`);
- 放弃 drops every unsaved edit; columns a role may not see are absent, may not edit disabled.
Select columns hold option labels (so cells pasted from Excel match); services map labels back
(`services.records.specs.coerce` accepts a value or its label).

Its parts: grid_state (what is kept between reruns; positions → ids), grid_columns (specs →
editor columns), deleted_rows (the "recently deleted" expander under a grid).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components import feedback
from components.context import ready_engine
from components.grid_columns import column_config
from components.grid_state import (
    ID,
    GridState,
    collect_changes,
    editor_frame,
    has_pending,
    rebase,
    restart,
    visible_specs,
)
from db.engine import read_session
from locales import t
from services.actor import Actor
from services.errors import ConflictError, ValidationFailed
from services.records.grid_rows import GridChanges, Page, SaveResult
from services.records.specs import ColumnSpec

PAGE_SIZE = 100

LoadPage = Callable[[Session, Actor, int, int], Page]
LoadRows = Callable[[Session, Actor, list[int]], pd.DataFrame]
Save = Callable[[Session, Actor, GridChanges], SaveResult]
ListRows = Callable[[Session, Actor, Any, int, int], Page]


@dataclass(frozen=True)
class GridConfig:
    """One editable table: its key, its columns, how its rows are loaded and saved, and what the
    user may do with them."""

    key: str
    specs: list[ColumnSpec]
    load_page: LoadPage
    save: Save
    query: Hashable = None  # the filters: when they change, the grid starts again at page 1
    label_field: str | None = "name"  # the field that names a row in messages
    can_edit: bool = True
    can_add: bool = True
    can_delete: bool = True
    load_rows: LoadRows | None = None  # reloads one conflicting row; without it, the whole page
    page_size: int = PAGE_SIZE
    height: int | str = "auto"


def show(config: GridConfig, actor: Actor) -> pd.DataFrame:
    """Render the grid for one page of rows; returns that page's frame (as loaded)."""
    state: GridState = st.session_state.setdefault(_state_key(config.key), GridState())
    pager_key = f"{config.key}.page_no"
    if state.query != config.query:
        state.query, st.session_state[pager_key] = config.query, 1
        restart(state)
    editor_key = _editor_key(config.key, state)
    pending = has_pending(state, st.session_state.get(editor_key))
    page, pages = _load(config, actor, pager_key)
    if state.base is None or not pending:
        state.base = editor_frame(page.frame, config.specs, actor)

    left, right = st.columns([1, 3])
    left.number_input(
        t("grid.page"), min_value=1, max_value=pages, step=1, key=pager_key, disabled=pending,
        help=t("grid.page_locked") if pending else None,
    )  # fmt: skip
    total_key = "grid.total_capped" if page.capped else "grid.total"
    right.caption(t(total_key, total=page.total, pages=pages, size=config.page_size))
    state.drawn_pending = pending
    _editing(config, actor)
    return page.frame


@st.fragment
def _editing(config: GridConfig, actor: Actor) -> None:
    """The editor, its buttons and messages, as a fragment: a cell edit reruns only this part,
    not the page (its queries, filters, forms and charts). The first edit, and the undo of the
    last, rerun the whole page once, so that it locks (or frees) the controls that would lose
    the edits; a save, 放弃 or 重新载入 reruns the whole page too (st.rerun)."""
    state: GridState = st.session_state[_state_key(config.key)]
    editor_key = _editor_key(config.key, state)
    _editor(config, actor, state, editor_key)
    if not config.can_edit:
        return
    editor_value = st.session_state.get(editor_key)
    if has_pending(state, editor_value) != state.drawn_pending:
        st.rerun()
    _buttons(config, actor, state, editor_value)
    _messages(config, actor, state, editor_value)


def filtered(list_rows: ListRows, query: Any) -> LoadPage:
    """The loader for a service listing `(session, actor, filters, offset, limit)`: the page's
    filters bound in."""
    return lambda session, actor, offset, limit: list_rows(session, actor, query, offset, limit)


def unsaved(key: str) -> bool:
    """Whether grid `key` holds unsaved edits (pages lock controls that would lose them)."""
    state = st.session_state.get(_state_key(key))
    if not isinstance(state, GridState):
        return False
    return has_pending(state, st.session_state.get(_editor_key(key, state)))


def reset(key: str, notice: str | None = None) -> None:
    """Drop grid `key`'s unsaved edits so its next run reloads the page (e.g. after a restore)."""
    state = st.session_state.get(_state_key(key))
    if isinstance(state, GridState):
        restart(state, notice)


def _state_key(key: str) -> str:
    return f"{key}.grid"


def _editor_key(key: str, state: GridState) -> str:
    return f"{key}.editor.{state.generation}"


def _load(config: GridConfig, actor: Actor, pager_key: str) -> tuple[Page, int]:
    """The chosen page of rows and the number of pages; a pager beyond the last page (the
    filter shrank the list under it) moves back to the last one."""
    size = config.page_size
    page_no = int(st.session_state.get(pager_key, 1))
    with read_session(ready_engine()) as session:
        page = config.load_page(session, actor, (page_no - 1) * size, size)
        pages = max(1, -(-page.total // size))
        if page_no > pages:
            page_no = st.session_state[pager_key] = pages
            page = config.load_page(session, actor, (page_no - 1) * size, size)
    return page, pages


def _editor(config: GridConfig, actor: Actor, state: GridState, editor_key: str) -> None:
    columns, disabled = column_config(config.specs, actor, config.can_edit, state.base)
    modes = {(True, True): "dynamic", (True, False): "add", (False, True): "delete"}
    num_rows = modes.get(
        (config.can_edit and config.can_add, config.can_edit and config.can_delete), "fixed"
    )
    st.data_editor(
        state.base,
        key=editor_key,
        column_config=columns,
        column_order=[ID, *(s.field for s in visible_specs(config.specs, actor))],
        disabled=disabled if config.can_edit else True,
        num_rows=num_rows,
        hide_index=True,
        height=config.height,
        width="stretch",
        placeholder="—",
    )


def _buttons(
    config: GridConfig, actor: Actor, state: GridState, editor_value: dict[str, Any] | None
) -> None:
    pending = has_pending(state, editor_value)
    save_col, discard_col, note_col = st.columns([1, 1, 4])
    if pending:
        note_col.caption(t("grid.unsaved"))
    if discard_col.button(t("grid.discard"), key=f"{config.key}.discard", disabled=not pending):
        restart(state)
        st.rerun()
    if save_col.button(
        t("grid.save"), key=f"{config.key}.save", type="primary", disabled=not pending
    ):
        _save(config, actor, state, editor_value)
    if state.notice:
        st.success(state.notice)
        state.notice = None


def _save(
    config: GridConfig, actor: Actor, state: GridState, editor_value: dict[str, Any] | None
) -> None:
    """Every pending change in one transaction; problems and conflicts are kept in the grid's
    state, so they stay on screen beside the user's edits until the next save."""
    changes = collect_changes(state, editor_value, config.label_field)

    def keep_problems(exc: ValidationFailed) -> None:
        state.problems, state.conflicts = exc.problems, []

    def keep_conflicts(exc: ConflictError) -> None:
        state.conflicts, state.problems = exc.conflicts, []

    result = feedback.submit(
        lambda session: config.save(session, actor, changes),
        rerun=False,
        on_error={ValidationFailed: keep_problems, ConflictError: keep_conflicts},
    )
    if result is not feedback.FAILED:
        restart(state, notice=t("grid.saved", **vars(result)))
        st.rerun()


def _messages(
    config: GridConfig, actor: Actor, state: GridState, editor_value: dict[str, Any] | None
) -> None:
    if state.problems:
        feedback.show_problems(state.problems)
    for conflict in state.conflicts:
        message = t(
            "grid.conflict_row",
            row=conflict.row,
            who=conflict.changed_by or t("grid.someone"),
            when=_when(conflict.changed_at),
        )
        text_col, button_col = st.columns([4, 1])
        text_col.warning(message)
        if button_col.button(t("grid.reload_row"), key=f"{config.key}.reload.{conflict.entity_id}"):
            _reload_row(config, actor, state, editor_value, conflict.entity_id)
            st.rerun()


def _reload_row(
    config: GridConfig,
    actor: Actor,
    state: GridState,
    editor_value: dict[str, Any] | None,
    row_id: int,
) -> None:
    """Show the database's current values of one row; the other pending edits stay."""
    if config.load_rows is None:
        restart(state)
        return
    with read_session(ready_engine()) as session:
        fresh = config.load_rows(session, actor, [row_id])
    st.session_state[_state_key(config.key)] = rebase(
        state,
        editor_value,
        editor_frame(fresh, config.specs, actor),
        config.label_field,
        reload_ids=[row_id],
    )


def _when(value: Any) -> str:
    if value is None:
        return t("grid.unknown_time")
    if hasattr(value, "astimezone"):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)
