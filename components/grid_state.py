"""What the editable grid keeps between reruns, and the editor's row positions turned into
changes by database id. Plain functions over pandas, tested without Streamlit (components/grid.py
draws the grid; NOTES.md: the editor reports positions, and the frame it got must stay stable)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from locales import t
from services.actor import Actor
from services.errors import Conflict, Problem
from services.records.grid_rows import GridChanges, RowDelete, RowInsert, RowUpdate
from services.records.specs import ColumnSpec, ColumnType, coerce

ID, VERSION = "id", "version"


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
    # Whether the page was last drawn with unsaved edits (its pager and filters locked): the
    # grid's fragment reruns the whole page when that changes, and only itself otherwise.
    drawn_pending: bool = False


def visible_specs(specs: list[ColumnSpec], actor: Actor) -> list[ColumnSpec]:
    """The columns the actor's role may see."""
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
    """Whether the grid holds edits not yet saved (in the editor or carried over a rebuild)."""
    value = editor_value or {}
    return bool(
        state.carried_updates
        or state.carried_deletes
        or value.get("edited_rows")
        or value.get("added_rows")
        or value.get("deleted_rows")
        or (state.base is not None and ID in state.base and state.base[ID].isna().any())
    )


def restart(state: GridState, notice: str | None = None) -> None:
    """Forget unsaved edits: a fresh editor over a freshly loaded page."""
    state.base, state.generation = None, state.generation + 1
    state.carried_updates, state.carried_deletes = {}, []
    state.problems, state.conflicts, state.notice = [], [], notice
