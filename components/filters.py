"""Filters above lists: the Chinese placeholders every select box and multiselect passes
(`placeholder=filters.choose()`; Streamlit's own are the English "Choose an option" / "Choose
options"), the children's filter bar (grade, class, left-behind type, key child,
enrolment status and a free-text search over name, 学籍号 and phones; returns a hashable
ChildFilter), a from–to date pair, and the risk list's reason pills."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from db.enums import EnrolmentStatus, LeftBehindType
from locales import enum_options, t
from services.compliance.risk import REASONS
from services.records.children import ChildFilter, FilterOptions

ALL = ""


def choose() -> str:
    """Placeholder of a select box: 请选择."""
    return t("common.choose")


def pick(
    label: str, options: Mapping[Any, str], key: str, where: Any = st, disabled: bool = False
) -> Any:
    """A select box over `options` (value → label) with the Chinese placeholder; the value.
    `disabled=grid.unsaved(...)` keeps a grid's unsaved edits from being dropped by a change."""
    return where.selectbox(
        label,
        list(options),
        format_func=options.get,
        key=key,
        placeholder=choose(),
        disabled=disabled,
    )


def choose_many() -> str:
    """Placeholder of a multiselect: 请选择（可多选）."""
    return t("common.choose_many")


def show(
    key: str,
    options: FilterOptions,
    default_status: str | None = "enrolled",
    disabled: bool = False,
) -> ChildFilter:
    """Render the filters in one row (stacked on a phone) and return what is chosen.

    Pages pass `disabled=grid.unsaved(...)`: changing a filter would drop unsaved grid edits.
    """
    row = st.columns([1, 1.4, 1.2, 1, 1, 2])
    # "All" is 0 / "", not None: a disabled selectbox shows None as an empty placeholder.
    grade = row[0].selectbox(
        t("filters.grade"),
        [0, *options.grades],
        format_func=lambda g: t("filters.grade_n", n=g) if g else t("filters.all"),
        key=f"{key}.grade",
        disabled=disabled,
        placeholder=choose(),
    )
    classroom_id = row[1].selectbox(
        t("filters.classroom"),
        [0, *options.classrooms],
        format_func=lambda c: options.classrooms[c] if c else t("filters.all"),
        key=f"{key}.classroom",
        disabled=disabled,
        placeholder=choose(),
    )
    lbt_labels = {ALL: t("filters.all"), **enum_options(LeftBehindType)}
    left_behind_type = row[2].selectbox(
        t("filters.left_behind_type"), list(lbt_labels), format_func=lbt_labels.get,
        key=f"{key}.lbt", disabled=disabled, placeholder=choose(),
    )  # fmt: skip
    key_labels = {ALL: t("filters.all"), "yes": t("filters.key_yes"), "no": t("filters.key_no")}
    is_key = row[3].selectbox(
        t("filters.is_key"),
        list(key_labels),
        format_func=key_labels.get,
        key=f"{key}.key",
        disabled=disabled,
        placeholder=choose(),
    )
    status_labels = {ALL: t("filters.all"), **enum_options(EnrolmentStatus)}
    statuses = list(status_labels)
    status = row[4].selectbox(
        t("filters.enrolment_status"),
        statuses,
        index=statuses.index(default_status) if default_status in statuses else 0,
        format_func=status_labels.get,
        key=f"{key}.status",
        disabled=disabled,
        placeholder=choose(),
    )
    search = row[5].text_input(t("filters.search"), key=f"{key}.search", disabled=disabled)
    return ChildFilter(
        grade=grade or None,
        classroom_id=classroom_id or None,
        left_behind_type=left_behind_type or None,
        is_key={"yes": True, "no": False}.get(is_key),
        enrolment_status=status or None,
        search=search.strip(),
    )


def date_range(
    key: str, from_label: str, to_label: str, disabled: bool = False
) -> tuple[date | None, date | None]:
    """Two optional dates side by side (keys `<key>.from`, `<key>.to`); None = open end."""
    left, right = st.columns(2)
    date_from = left.date_input(from_label, value=None, key=f"{key}.from", disabled=disabled)
    date_to = right.date_input(to_label, value=None, key=f"{key}.to", disabled=disabled)
    return date_from, date_to


def risk_reasons(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Reason pills over the risk list; the rows with any chosen reason (all when none chosen)."""
    chosen = st.pills(
        t("risk.filter.reason"),
        list(REASONS),
        selection_mode="multi",
        format_func=lambda code: t(f"risk.reason.{code}"),
        key=key,
    )
    if not chosen:
        return rows
    return rows[rows["reasons"].map(lambda reasons: bool(set(reasons) & set(chosen)))]
