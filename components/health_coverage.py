"""体检覆盖率 per class: three figures for the school and the table of classes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import kpi, tables
from locales import t

COLUMNS = ("classroom", "children", "checked", "coverage", "left_behind_checked", "low_vision")


def show(coverage: pd.DataFrame) -> None:
    """`coverage` is services.care.health.health_coverage(...): one row per class."""
    children, checked = int(coverage["children"].sum()), int(coverage["checked"].sum())
    kpi.show(
        [
            kpi.Kpi(t("health.coverage.total"), kpi.percent(checked / children if children else 0)),
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
