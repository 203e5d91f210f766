"""一人一档's 成长记录 tab: the chart over terms and a small table per term."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import tables
from components.growth_charts import build_growth_figure
from db.growth_models import SCALE_COLUMNS
from locales import t

COLUMNS = ["term_name", "percentile", "subjects", *SCALE_COLUMNS, "note"]


def show(frame: pd.DataFrame, key: str) -> None:
    """The child's terms (services.growth.terms.child_terms), or 暂无成绩或观察记录."""
    if frame.empty:
        st.caption(t("growth_profile.empty"))
        return
    st.plotly_chart(build_growth_figure(frame), width="stretch", key=f"{key}.chart")
    shown = frame.copy()
    shown["subjects"] = [n if n else None for n in shown["subjects"]]  # 0 subjects: empty cell
    for scale in SCALE_COLUMNS:
        shown[scale] = shown[scale].astype("Int64")
    labels = {c: t(f"growth_profile.col.{c}") for c in COLUMNS}
    tables.show(shown, labels, key=f"{key}.table", rename=True)
    st.caption(t("growth_profile.caption"))
