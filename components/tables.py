"""Read-only labelled tables: one call shows a frame with translated headers and fixed widths.

    tables.show(frame, {"name": t("x.col.name"), "amount": t("x.col.amount")}, key="x.table")

Only the columns named in `labels` are shown, in that order; user text is shown as text; an
empty cell stays empty (Streamlit's own default shows the English "None").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st


def show(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    key: str | None = None,
    widths: Mapping[str, str] | None = None,
    height: int | str = "auto",
    where: Any = None,
    rename: bool = False,
    column_config: Mapping[str, Any] | None = None,
    empty: str = "",
) -> None:
    """Show `frame`'s columns named in `labels` with those headers (widths: small/medium/large);
    `rename` makes the headers the shown frame's own column names (as tests read them);
    `column_config` gives some columns a ready st.column_config column (progress bar, format);
    `empty` is what an empty cell shows."""
    box = where if where is not None else st
    columns = [c for c in labels if c in frame.columns]
    shown = frame[columns].rename(columns=dict(labels)) if rename else frame[columns]
    config = {
        name: (column_config or {}).get(c)
        or st.column_config.Column(labels[c], width=(widths or {}).get(c))
        for name, c in zip(shown.columns, columns, strict=True)
    }
    box.dataframe(
        shown,
        column_config=config,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        placeholder=empty,
    )
