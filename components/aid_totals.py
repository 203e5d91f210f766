"""资助 totals of a term: the amount and number of records, and one row per kind of aid."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import kpi, tables
from db.enums import AidKind
from locales import enum_label, t
from services.reports.blocks import money


def show(totals: pd.DataFrame) -> None:
    """`totals` is services.care.aid.aid_totals(...): kind, records, children, amount."""
    kpi.show(
        [
            kpi.Kpi(t("aid.totals.amount"), money(totals["amount"].sum())),
            kpi.Kpi(t("aid.totals.records"), f"{int(totals['records'].sum()):,}"),
        ]
    )
    # One amount format everywhere (card, table, reports): 1,500.00 — a printf format has no
    # thousands separator, so the table shows the amount already formatted.
    shown = totals.assign(
        kind=[enum_label(AidKind(k)) for k in totals["kind"]],
        amount=[money(a) for a in totals["amount"]],
    )
    tables.show(
        shown,
        {c: t(f"aid.col.{c}") for c in ("kind", "records", "children", "amount")},
        column_config={"amount": st.column_config.TextColumn(t("aid.col.amount"))},
    )
