"""The activities page's participation section: the rates of left-behind and other children, per
class and per type of activity, and the left-behind children who took part in nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from components import kpi, profile_card, tables
from components.context import ready_engine
from db.engine import read_session
from db.enums import ActivityType, LeftBehindType
from locales import enum_label, t
from services.actor import Actor
from services.care import participation

RATES = ("left_behind_rate", "other_rate")
MISSING = ("classroom", "name", "student_no", "left_behind_type", "is_key")


def show(actor: Actor, period: tuple[date | None, date | None]) -> None:
    """Figures, the two tables and the missing list for the period (None, None = all time)."""
    with read_session(ready_engine()) as session:
        summary = participation.participation_summary(session, actor, *period).to_dict("records")[0]
        by_class = participation.participation_by_class(session, actor, *period)
        by_type = participation.participation_by_type(session, actor, *period)
        missing = participation.left_behind_without_activity(session, actor, *period)
    _figures(summary)
    rates = {
        name: st.column_config.ProgressColumn(
            t(f"activities.col.{name}"), format="percent", min_value=0, max_value=1
        )
        for name in RATES
    }
    counts = {
        "activities": t("activities.participation.activities"),
        "attendances": t("activities.participation.attendances"),
    }
    rate_labels = {name: t(f"activities.col.{name}") for name in RATES}
    tables.show(
        by_class,
        {"classroom": t("activities.col.classroom"), **counts, **rate_labels},
        column_config=rates,
    )
    tables.show(
        by_type.assign(
            activity_type=[enum_label(ActivityType(v)) for v in by_type["activity_type"]]
        ),
        {"activity_type": t("activities.col.type"), **counts, **rate_labels},
        column_config=rates,
    )
    if missing.empty:
        st.success(t("activities.participation.missing_none"))
        return
    st.subheader(t("activities.participation.missing", count=len(missing)))
    tables.show(
        missing.assign(
            left_behind_type=[enum_label(LeftBehindType(v)) for v in missing["left_behind_type"]]
        ),
        {c: t(f"activities.col.{c}") for c in MISSING},
    )
    names = dict(zip(missing["child_id"], missing["name"], strict=True))
    profile_card.open_button(missing, "participation", names)  # each child opens 一人一档


def _figures(summary: dict[str, Any]) -> None:
    rate_help = t("activities.participation.rate_help")
    kpi.show(
        [
            kpi.Kpi(
                t("activities.participation.left_behind_rate"),
                kpi.percent(summary["left_behind_rate"]),
                rate_help,
            ),
            kpi.Kpi(
                t("activities.participation.other_rate"),
                kpi.percent(summary["other_rate"]),
                rate_help,
            ),
            kpi.Kpi(t("activities.participation.activities"), f"{summary['activities']:,}"),
            kpi.Kpi(t("activities.participation.attendances"), f"{summary['attendances']:,}"),
        ]
    )
