"""The archive page's panels: the 建档率 figures and the choice of column group to edit."""

from __future__ import annotations

import streamlit as st

from components import kpi
from locales import t
from services.records.child_columns import ALWAYS_SHOWN, GROUPS
from services.records.children import Completeness
from services.records.specs import ColumnSpec


def rate_kpis(rate: Completeness) -> None:
    """建档率 (— for an empty selection), complete and incomplete archives."""
    kpi.show(
        [
            kpi.Kpi(
                t("children.archive_rate"),
                "—" if rate.rate is None else kpi.percent(rate.rate),
                t("children.archive_rate_help"),
            ),
            kpi.Kpi(t("children.complete"), f"{rate.complete:,}"),
            kpi.Kpi(t("children.incomplete"), f"{rate.total - rate.complete:,}"),
        ]
    )


def column_group(
    specs: list[ColumnSpec], key: str, disabled: bool = False
) -> tuple[str, list[ColumnSpec]]:
    """The group picker; (the chosen group, its columns plus the ones always shown)."""
    group = (
        st.segmented_control(
            t("children.group_picker"),
            GROUPS,
            format_func=lambda g: t(f"children.group.{g}"),
            default="basic",
            key=key,
            disabled=disabled,
        )
        or "basic"
    )
    return group, [s for s in specs if s.group == group or s.field in ALWAYS_SHOWN]
