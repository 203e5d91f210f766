"""The 报表导出 page's choice of period: a month, a term or a year (the current one preselected,
by the school's calendar)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from components import filters
from locales import t
from services.metrics.scope import Period, month_period, term_period, year_period

KINDS = ["month", "term", "year"]


def choose(kind_col: Any, when_col: Any, terms: pd.DataFrame, today: date) -> Period | None:
    """Kind radio in `kind_col`, the month / term / year in `when_col`; None without a term."""
    kind = kind_col.radio(
        t("reports.period_kind"),
        KINDS,
        format_func=lambda k: t(f"reports.kind.{k}"),
        horizontal=True,
        key="reports_kind",
    )
    years = list(range(today.year, today.year - 5, -1))
    if kind == "month":
        year_col, month_col = when_col.columns(2)
        year = year_col.selectbox(
            t("reports.year"), years, key="reports_year", placeholder=filters.choose()
        )
        month = month_col.selectbox(
            t("reports.month"),
            range(1, 13),
            index=today.month - 1,
            key="reports_month",
            placeholder=filters.choose(),
        )
        return month_period(year, month)
    if kind == "year":
        return year_period(
            when_col.selectbox(
                t("reports.year"), years, key="reports_only_year", placeholder=filters.choose()
            )
        )
    if terms.empty:
        when_col.caption(t("reports.no_terms"))
        return None
    current = [i for i, r in terms.iterrows() if r["start"] <= today <= r["end"]]
    row = when_col.selectbox(
        t("reports.term"),
        range(len(terms)),
        index=current[0] if current else 0,
        format_func=lambda i: terms.iloc[i]["name"],
        key="reports_term",
        placeholder=filters.choose(),
    )
    return term_period(terms.iloc[row]["name"], terms.iloc[row]["start"], terms.iloc[row]["end"])
