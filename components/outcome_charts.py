"""关爱成效's Plotly figures, pure functions of services/metrics/outcome.py's table (no
Streamlit): grouped bars over the groups, paired by comparison on a two-level axis. A value
hidden from the bureau is a bar of height 0 labelled "<10"."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import FONT, PALETTE
from components.safe_text import escape_html
from db.growth_models import SCALE_COLUMNS
from locales import t
from services.metrics.outcome import shown_measure

WRAP = 5  # characters per line of a group's label under its bar


def _wrapped(text: str) -> str:
    return "<br>".join(text[i : i + WRAP] for i in range(0, len(text), WRAP))


def _axis(rows: pd.DataFrame) -> list[list[str]]:
    """The two-level x axis: comparison, then group (long labels broken into lines)."""
    return [
        [t(f"outcome.comparison.{c}") for c in rows["comparison"]],
        [_wrapped(t(f"outcome.group.{g}")) for g in rows["group"]],
    ]


def _bar(
    rows: pd.DataFrame, measure: str, name: str, colour: str, values: bool, marks: bool = True
) -> go.Bar:
    """One series; `values` prints every value on its bar, `marks` the hidden "<10"."""
    labels = [shown_measure(row, measure) for _, row in rows.iterrows()]
    hidden = [label.startswith("<") for label in labels]
    return go.Bar(
        x=_axis(rows),
        y=[0.0 if h else v for h, v in zip(hidden, rows[measure], strict=True)],
        name=name,
        text=[
            label if (values or (h and marks)) and label != "—" else ""
            for label, h in zip(labels, hidden, strict=True)
        ],
        textposition="outside",
        marker_color=colour,
        cliponaxis=False,
    )


def _layout(fig: go.Figure, title: str, y_title: str, y_range: list[float]) -> go.Figure:
    fig.update_layout(
        title=title,
        barmode="group",
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12},
        height=430,
    )
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(title_text=y_title, range=y_range)
    return fig


def percentile_figure(table: pd.DataFrame) -> go.Figure:
    """Mean percentile per group, one bar series per term of the table."""
    fig = go.Figure()
    terms = [str(term) for term in dict.fromkeys(table["term"])]
    for i, term in enumerate(terms):  # term names are the school's text: Plotly renders HTML
        rows = table[table["term"] == term]
        fig.add_trace(_bar(rows, "percentile", escape_html(term), PALETTE[i % len(PALETTE)], True))
    title = t("outcome.chart.percentile", terms="、".join(escape_html(term) for term in terms))
    return _layout(fig, title, t("outcome.chart.y_percentile"), [0, 105])


def scales_figure(table: pd.DataFrame, term: str) -> go.Figure:
    """The four observation scales' means per group in `term` (observations are made for
    left-behind children, so their classmates' bars are mostly empty)."""
    rows = table[table["term"] == term]
    fig = go.Figure()
    for i, scale in enumerate(SCALE_COLUMNS):
        label = t(f"enum.GrowthScale.{scale}")
        colour = PALETTE[(i + 2) % len(PALETTE)]
        fig.add_trace(_bar(rows, scale, label, colour, False, marks=i == 0))  # one "<10" a group
    title = t("outcome.chart.scales", term=escape_html(term))
    return _layout(fig, title, t("outcome.chart.y_scale"), [0, 5.6])
