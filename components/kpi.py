"""KPI cards: one row of st.metric boxes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    help: str | None = None


def show(kpis: list[Kpi], per_row: int = 4) -> None:
    for start in range(0, len(kpis), per_row):
        columns = st.columns(per_row)
        for column, kpi in zip(columns, kpis[start : start + per_row], strict=False):
            column.metric(kpi.label, kpi.value, help=kpi.help, border=True)


def percent(share: float | None) -> str:
    """57.1%; "—" when there is nothing to divide by (an empty filter is never 100 %)."""
    return "—" if share is None else f"{share:.1%}"
