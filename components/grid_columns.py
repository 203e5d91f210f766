"""The grid's columns: each visible ColumnSpec as a st.data_editor column (type, width, options),
and which of them the role may not edit. A column's width is ColumnSpec.display_width: never
narrower than its header, in whichever language."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components.grid_state import ID, VERSION, visible_specs
from locales import t
from services.actor import Actor
from services.records.specs import ColumnSpec, ColumnType


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
    width, label = spec.display_width, spec.header
    cc = st.column_config
    if spec.type == ColumnType.INT:
        return cc.NumberColumn(
            label, width=width, step=1, format="%d", min_value=spec.min_value,
            max_value=spec.max_value,
        )  # fmt: skip
    if spec.type == ColumnType.FLOAT:
        return cc.NumberColumn(
            label, width=width, min_value=spec.min_value, max_value=spec.max_value,
            format=spec.number_format,
        )  # fmt: skip
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
