"""The one editable grid: st.data_editor driven by a column spec, saved through a service.

How to use it for a table (see pages/children.py):

    from components import grid
    from services.records.specs import ColumnSpec, ColumnType, Page, GridChanges, SaveResult

    SPECS = [ColumnSpec("check_date", "health.col.date", ColumnType.DATE, required=True), ...]

    def load_page(session, actor, offset, limit) -> Page:        # service: one page of rows,
        ...                                                      # frame with "id", "version",
                                                                 # and the spec fields
    def save(session, actor, changes: GridChanges) -> SaveResult:  # service: check_changes(),
        ...                                                         # then update_row/create_row/
                                                                    # soft_delete_row; raise
                                                                    # ValidationFailed/ConflictError
    grid.show("health", SPECS, actor, engine, load_page, save, query=filters, label_field="name")

What the component does, so services don't have to:
- shows one page of rows (default 100; the pager sits above the grid) and nothing more;
- keeps the frame it passed to the editor unchanged while there are unsaved edits, so positions
  stay valid and the `version` the user saw travels with every changed row;
- maps the editor's row positions back to database ids (`collect_changes`, a plain function);
- 保存 runs `save(session, actor, changes)` in one `write_session` (the page's transaction);
  problems (row, column, value, reason) are listed and the edits stay in the grid; conflicts name
  the row, who changed it and when, and offer to reload just that row (needs `load_rows`);
- 放弃 drops every unsaved edit; columns a role may not see are absent, may not edit disabled.
Select columns hold option labels (so cells pasted from Excel match); services map labels back
(`services.records.specs.coerce` accepts a value or its label).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import read_session, write_session
from locales import t
from services.accounts.actor import Actor
from services.errors import Conflict, ConflictError, NotAllowed, NotFound, Problem, ValidationFailed
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    GridChanges,
    Page,
    RowDelete,
    RowInsert,
    RowUpdate,
    SaveResult,
    coerce,
)

_LOG = logging.getLogger(__name__)
PAGE_SIZE = 100
ID, VERSION = "id", "version"
DEFAULT_WIDTHS = {
    ColumnType.TEXT: 120,
    ColumnType.INT: 80,
    ColumnType.FLOAT: 80,
    ColumnType.DATE: 110,
    ColumnType.BOOL: 70,
    ColumnType.SELECT: 110,
    ColumnType.MULTISELECT: 160,
}

LoadPage = Callable[[Session, Actor, int, int], Page]
LoadRows = Callable[[Session, Actor, list[int]], pd.DataFrame]
Save = Callable[[Session, Actor, GridChanges], SaveResult]


@dataclass
class GridState:
    """What the grid keeps between reruns (one per grid key, in st.session_state)."""

    base: pd.DataFrame | None = None  # exactly the frame given to the editor
    query: Hashable = None
    generation: int = 0  # part of the editor's key; bumping it starts a fresh editor
    # Edits carried over when the editor was rebuilt (reload of one row): id → {column: value}.
    carried_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    carried_deletes: list[RowDelete] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notice: str | None = None


# ---- pure functions (tested without Streamlit) ------------------------------------------------


def visible_specs(specs: list[ColumnSpec], actor: Actor) -> list[ColumnSpec]:
    return [s for s in specs if s.may_see(actor.role)]


def editor_frame(frame: pd.DataFrame, specs: list[ColumnSpec], actor: Actor) -> pd.DataFrame:
    """The frame for the editor: id, version and the visible spec columns, selects as labels."""
    shown = visible_specs(specs, actor)
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out[ID] = pd.array(frame[ID].tolist() if ID in frame else [None] * len(frame), dtype="Int64")
    out[VERSION] = pd.array(
        frame[VERSION].tolist() if VERSION in frame else [None] * len(frame), dtype="Int64"
    )
    for spec in shown:
        values = frame[spec.field].tolist() if spec.field in frame else [None] * len(frame)
        out[spec.field] = _display_column(spec, values)
    return out


def _display_column(spec: ColumnSpec, values: list[Any]) -> Any:
    def missing(v: Any) -> bool:
        return v is None or (not isinstance(v, list | tuple) and pd.isna(v))

    def label(v: Any) -> Any:  # idempotent: a label stays a label
        return spec.option_label(v) if v in spec.options else v

    if spec.type == ColumnType.SELECT:
        return pd.Series([None if missing(v) else label(v) for v in values], dtype="object")
    if spec.type == ColumnType.MULTISELECT:
        return pd.Series([[label(x) for x in (v or [])] for v in values], dtype="object")
    if spec.type == ColumnType.INT:
        return pd.array([None if missing(v) else int(v) for v in values], dtype="Int64")
    if spec.type == ColumnType.FLOAT:
        return pd.array([None if missing(v) else float(v) for v in values], dtype="Float64")
    if spec.type == ColumnType.BOOL:
        return pd.Series([bool(v) if not missing(v) else False for v in values], dtype="bool")
    if spec.type == ColumnType.DATE:
        return pd.Series([None if missing(v) else _date_or_raw(v) for v in values], dtype="object")
    return pd.Series([None if missing(v) else str(v) for v in values], dtype="object")


def _date_or_raw(value: Any) -> Any:
    value, reason = coerce(ColumnSpec("d", "d", ColumnType.DATE), value)
    return None if reason else value


def _plain(value: Any) -> Any:
    """numpy/pandas scalars → Python values; NA → None."""
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _editable_columns(base: pd.DataFrame) -> list[str]:
    return [c for c in base.columns if c not in (ID, VERSION)]


def collect_changes(
    state: GridState, editor_value: dict[str, Any] | None, label_field: str | None = "name"
) -> GridChanges:
    """Turn the editor's positional edits into changes by database id.

    `editor_value` is st.data_editor's state: {"edited_rows": {pos: {col: val}}, "added_rows":
    [{col: val}], "deleted_rows": [pos]}; positions index `state.base`, the frame the editor got.
    Base rows without an id are rows added before a rebuild: they are inserts.
    """
    base = state.base if state.base is not None else pd.DataFrame(columns=[ID, VERSION])
    value = editor_value or {}
    edited = {int(pos): dict(cols) for pos, cols in (value.get("edited_rows") or {}).items()}
    deleted = {int(pos) for pos in value.get("deleted_rows") or []}
    columns = set(_editable_columns(base))
    changes = GridChanges(deletes=list(state.carried_deletes))

    def label_of(pos: int, values: dict[str, Any]) -> str:
        if label_field and _plain(values.get(label_field)):
            return str(values[label_field])
        if label_field and label_field in base.columns and _plain(base.at[pos, label_field]):
            return str(base.at[pos, label_field])
        return t("grid.row_n", n=pos + 1)

    for pos in range(len(base)):
        row_id = _plain(base.at[pos, ID])
        edits = {c: _plain(v) for c, v in edited.get(pos, {}).items() if c in columns}
        if row_id is None:
            if pos in deleted:
                continue
            values = {c: _plain(base.at[pos, c]) for c in columns}
            values.update(edits)
            changes.inserts.append(RowInsert(label_of(pos, values), values))
            continue
        version = int(_plain(base.at[pos, VERSION]))
        if pos in deleted:
            changes.deletes.append(RowDelete(int(row_id), version, label_of(pos, {})))
            continue
        values = {**state.carried_updates.get(int(row_id), {}), **edits}
        if values:
            changes.updates.append(RowUpdate(int(row_id), version, label_of(pos, {}), values))

    for offset, added in enumerate(value.get("added_rows") or []):
        values = {c: _plain(v) for c, v in added.items() if c in columns}
        if any(v not in (None, "", [], False) for v in values.values()):
            label = label_of(len(base) + offset, values)
            changes.inserts.append(RowInsert(label, values))
    return changes


def rebase(
    state: GridState,
    editor_value: dict[str, Any] | None,
    fresh_rows: pd.DataFrame,
    label_field: str | None = "name",
    reload_ids: list[int] | None = None,
) -> GridState:
    """A new state whose base has the user's pending edits applied, except for the rows in
    `fresh_rows` (already in editor form), which show the database's current values; the pending
    edits of the other rows are carried so the next save still sends them with their versions."""
    changes = collect_changes(state, editor_value, label_field)
    fresh = {int(r[ID]): r for _, r in fresh_rows.iterrows()}
    gone = set(reload_ids or []) - set(fresh)  # deleted meanwhile, or no longer visible
    base = state.base.copy() if state.base is not None else pd.DataFrame(columns=[ID, VERSION])
    for update in changes.updates:
        if update.id in fresh or update.id in gone:
            continue
        pos = base.index[base[ID] == update.id][0]
        for column, value in update.values.items():
            base.at[pos, column] = value
    for row_id, row in fresh.items():
        pos = base.index[base[ID] == row_id]
        if len(pos):
            for column in base.columns:
                base.at[pos[0], column] = row.get(column)
    kept = [d for d in changes.deletes if d.id not in fresh and d.id not in gone]
    dropped = [d.id for d in kept] + list(gone)
    base = base[~base[ID].isin(dropped) & base[ID].notna()]
    new_rows = [i.values for i in changes.inserts]
    if new_rows:
        base = pd.concat([base, pd.DataFrame(new_rows)], ignore_index=True)
    base = base.reset_index(drop=True)
    return replace(
        state,
        base=base,
        generation=state.generation + 1,
        carried_updates={
            u.id: u.values for u in changes.updates if u.id not in fresh and u.id not in gone
        },
        carried_deletes=kept,
        conflicts=[c for c in state.conflicts if c.entity_id not in set(fresh) | gone],
        problems=[],
    )


def has_pending(state: GridState, editor_value: dict[str, Any] | None) -> bool:
    value = editor_value or {}
    return bool(
        state.carried_updates
        or state.carried_deletes
        or value.get("edited_rows")
        or value.get("added_rows")
        or value.get("deleted_rows")
        or (state.base is not None and ID in state.base and state.base[ID].isna().any())
    )


def column_config(
    specs: list[ColumnSpec], actor: Actor, can_edit: bool, frame: pd.DataFrame | None = None
) -> tuple[dict[str, Any], list[str]]:
    """(st.data_editor column_config, disabled columns) for the visible specs."""
    config: dict[str, Any] = {
        ID: st.column_config.NumberColumn(t("grid.id"), width=60, disabled=True, format="%d"),
        VERSION: None,  # hidden, but kept in the frame: it is the version the user saw
    }
    disabled = [ID]
    for spec in visible_specs(specs, actor):
        present: tuple[str, ...] = ()
        if frame is not None and spec.type == ColumnType.SELECT and spec.field in frame:
            present = tuple(str(v) for v in frame[spec.field].dropna().unique())
        config[spec.field] = _column(spec, present)
        if not can_edit or not spec.may_edit(actor.role):
            disabled.append(spec.field)
    return config, disabled


def _column(spec: ColumnSpec, present: tuple[str, ...] = ()) -> Any:
    width = spec.width or DEFAULT_WIDTHS[spec.type]
    label = spec.label + (" *" if spec.required else "")
    cc = st.column_config
    if spec.type == ColumnType.INT:
        return cc.NumberColumn(
            label, width=width, step=1, format="%d", min_value=spec.min_value,
            max_value=spec.max_value,
        )  # fmt: skip
    if spec.type == ColumnType.FLOAT:
        return cc.NumberColumn(
            label, width=width, min_value=spec.min_value, max_value=spec.max_value
        )
    if spec.type == ColumnType.DATE:
        return cc.DateColumn(label, width=width, format="YYYY-MM-DD")
    if spec.type == ColumnType.BOOL:
        return cc.CheckboxColumn(label, width=width)
    if spec.type == ColumnType.SELECT:
        # Values already in the rows stay displayable even when the spec offers no options
        # (e.g. too many children to offer as a picker): a value outside `options` shows blank.
        options = [spec.option_label(v) for v in spec.options]
        options += [v for v in present if v not in options]
        return cc.SelectboxColumn(label, width=width, options=options)
    if spec.type == ColumnType.MULTISELECT:
        return cc.MultiselectColumn(
            label, width=width, options=[spec.option_label(v) for v in spec.options]
        )
    return cc.TextColumn(label, width=width)


# ---- the Streamlit component ------------------------------------------------------------------


def show(
    key: str,
    specs: list[ColumnSpec],
    actor: Actor,
    engine: Engine,
    load_page: LoadPage,
    save: Save,
    *,
    query: Hashable = None,
    label_field: str | None = "name",
    can_edit: bool = True,
    can_add: bool = True,
    can_delete: bool = True,
    load_rows: LoadRows | None = None,
    page_size: int = PAGE_SIZE,
    height: int | str = "auto",
) -> pd.DataFrame:
    """Render the grid for one page of rows; returns that page's frame (as loaded)."""
    state: GridState = st.session_state.setdefault(f"{key}.grid", GridState())
    pager_key = f"{key}.page_no"
    if state.query != query:
        state.query, st.session_state[pager_key] = query, 1
        _restart(state, notice=None)
    editor_key = f"{key}.editor.{state.generation}"
    pending = has_pending(state, st.session_state.get(editor_key))

    page_no = int(st.session_state.get(pager_key, 1))
    with read_session(engine) as session:
        page = load_page(session, actor, (page_no - 1) * page_size, page_size)
        pages = max(1, -(-page.total // page_size))
        if page_no > pages:  # the filter shrank the list under the pager
            page_no = st.session_state[pager_key] = pages
            page = load_page(session, actor, (page_no - 1) * page_size, page_size)
    if state.base is None or not pending:
        state.base = editor_frame(page.frame, specs, actor)

    left, right = st.columns([1, 3])
    left.number_input(
        t("grid.page"), min_value=1, max_value=pages, step=1, key=pager_key, disabled=pending,
        help=t("grid.page_locked") if pending else None,
    )  # fmt: skip
    total_key = "grid.total_capped" if page.capped else "grid.total"
    right.caption(t(total_key, total=page.total, pages=pages, size=page_size))
    config, disabled = column_config(specs, actor, can_edit, state.base)
    modes = {(True, True): "dynamic", (True, False): "add", (False, True): "delete"}
    num_rows = modes.get((can_edit and can_add, can_edit and can_delete), "fixed")
    st.data_editor(
        state.base,
        key=editor_key,
        column_config=config,
        column_order=[ID, *(s.field for s in visible_specs(specs, actor))],
        disabled=disabled if can_edit else True,
        num_rows=num_rows,
        hide_index=True,
        height=height,
        width="stretch",
        placeholder="—",
    )
    editor_value = st.session_state.get(editor_key)
    if can_edit:
        _buttons(key, state, actor, engine, save, editor_value, label_field)
        _messages(key, state, actor, engine, load_rows, specs, editor_value, label_field)
    return page.frame


def _buttons(
    key: str,
    state: GridState,
    actor: Actor,
    engine: Engine,
    save: Save,
    editor_value: dict[str, Any] | None,
    label_field: str | None,
) -> None:
    pending = has_pending(state, editor_value)
    save_col, discard_col, note_col = st.columns([1, 1, 4])
    if pending:
        note_col.caption(t("grid.unsaved"))
    if discard_col.button(t("grid.discard"), key=f"{key}.discard", disabled=not pending):
        _restart(state, notice=None)
        st.rerun()
    if save_col.button(t("grid.save"), key=f"{key}.save", type="primary", disabled=not pending):
        changes = collect_changes(state, editor_value, label_field)
        try:
            with write_session(engine) as session:
                result = save(session, actor, changes)
        except ValidationFailed as exc:
            state.problems, state.conflicts = exc.problems, []
        except ConflictError as exc:
            state.conflicts, state.problems = exc.conflicts, []
        except (NotAllowed, NotFound) as exc:
            st.error(t(exc.message_key))
        except SQLAlchemyError:
            # e.g. a unique key taken by a save that raced ours: nothing was written.
            _LOG.exception("grid %s: save failed", key)
            st.error(t("error.database"))
        else:
            _restart(state, notice=t("grid.saved", **vars(result)))
            st.rerun()
    if state.notice:
        st.success(state.notice)
        state.notice = None


def _restart(state: GridState, notice: str | None) -> None:
    """Forget unsaved edits: a fresh editor over a freshly loaded page."""
    state.base, state.generation = None, state.generation + 1
    state.carried_updates, state.carried_deletes = {}, []
    state.problems, state.conflicts, state.notice = [], [], notice


def _messages(
    key: str,
    state: GridState,
    actor: Actor,
    engine: Engine,
    load_rows: LoadRows | None,
    specs: list[ColumnSpec],
    editor_value: dict[str, Any] | None,
    label_field: str | None,
) -> None:
    if state.problems:
        st.error(t("error.validation_failed", count=len(state.problems)))
        st.dataframe(problems_frame(state.problems), hide_index=True, width="stretch")
    for conflict in state.conflicts:
        message = t(
            "grid.conflict_row",
            row=conflict.row,
            who=conflict.changed_by or t("grid.someone"),
            when=_when(conflict.changed_at),
        )
        text_col, button_col = st.columns([4, 1])
        text_col.warning(message)
        if button_col.button(t("grid.reload_row"), key=f"{key}.reload.{conflict.entity_id}"):
            if load_rows is None:
                _restart(state, notice=None)
            else:
                with read_session(engine) as session:
                    fresh = load_rows(session, actor, [conflict.entity_id])
                new_state = rebase(
                    state,
                    editor_value,
                    editor_frame(fresh, specs, actor),
                    label_field,
                    reload_ids=[conflict.entity_id],
                )
                st.session_state[f"{key}.grid"] = new_state
            st.rerun()


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problem list as a table: row, column, value, reason (headers in the user's language)."""
    return pd.DataFrame(
        [[p.row, p.column, "" if p.value is None else str(p.value), p.message] for p in problems],
        columns=[t("grid.problem.row"), t("grid.problem.column"), t("grid.problem.value"),
                 t("grid.problem.reason")],
    )  # fmt: skip


def _when(value: Any) -> str:
    if value is None:
        return t("grid.unknown_time")
    if hasattr(value, "astimezone"):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


def unsaved(key: str) -> bool:
    """Whether grid `key` holds unsaved edits (pages lock controls that would lose them)."""
    state = st.session_state.get(f"{key}.grid")
    if not isinstance(state, GridState):
        return False
    return has_pending(state, st.session_state.get(f"{key}.editor.{state.generation}"))


def show_deleted(
    key: str,
    actor: Actor,
    engine: Engine,
    list_deleted: Callable[[Session, Actor], pd.DataFrame],
    restore: Callable[[Session, Actor, list[int]], int],
    label_field: str = "name",
) -> None:
    """A "recently deleted" expander with a restore action (services refuse other roles)."""
    with st.expander(t("grid.deleted.title")):
        with read_session(engine) as session:
            frame = list_deleted(session, actor)
        if frame.empty:
            st.caption(t("grid.deleted.none"))
            return
        st.dataframe(frame, hide_index=True, width="stretch")
        labels = {int(r[ID]): f"{r[label_field]} (#{int(r[ID])})" for _, r in frame.iterrows()}
        chosen = st.multiselect(
            t("grid.deleted.choose"), list(labels), format_func=labels.get, key=f"{key}.restore_ids"
        )
        if st.button(t("grid.deleted.restore"), key=f"{key}.restore", disabled=not chosen):
            try:
                with write_session(engine) as session:
                    count = restore(session, actor, chosen)
            except NotAllowed as exc:
                st.error(t(exc.message_key))
            else:
                state = st.session_state.get(f"{key}.grid")
                if isinstance(state, GridState):
                    _restart(state, notice=t("grid.deleted.restored", count=count))
                st.rerun()
