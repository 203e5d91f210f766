"""体检覆盖率 per class: three figures for the school and the table of classes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import kpi, tables
from db.enums import Role
from locales import t
from services.actor import Actor

COLUMNS = ("classroom", "children", "checked", "coverage", "left_behind_checked", "low_vision")


def total_label(actor: Actor, classes: int) -> str:
    """The coverage figure named by what it counts: 全校 only for school-wide roles, 全县 for the
    bureau, otherwise the actor's own class (本班) or classes (我的班级)."""
    if actor.is_school_wide:
        return t("health.coverage.total")
    if actor.role == Role.BUREAU:
        return t("health.coverage.total_county")
    return t("health.coverage.total_class" if classes == 1 else "health.coverage.total_classes")


def show(coverage: pd.DataFrame, actor: Actor) -> None:
    """`coverage` is services.care.health.health_coverage(...): one row per class."""
    children, checked = int(coverage["children"].sum()), int(coverage["checked"].sum())
    rate = kpi.percent(checked / children if children else 0)
    kpi.show(
        [
            kpi.Kpi(total_label(actor, len(coverage)), rate),
            kpi.Kpi(t("health.coverage.checked"), f"{checked:,} / {children:,}"),
            kpi.Kpi(t("health.coverage.low_vision"), f"{int(coverage['low_vision'].sum()):,}"),
        ]
    )
    progress = st.column_config.ProgressColumn(
        t("health.col.coverage"), format="percent", min_value=0, max_value=1
    )
    tables.show(
        coverage,
        {c: t(f"health.col.{c}") for c in COLUMNS},
        column_config={"coverage": progress},
    )
