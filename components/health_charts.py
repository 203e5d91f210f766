"""Pure chart builder for a child's health-check history (used on the child profile page)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import components.charts  # noqa: F401 - sets the app's Plotly template (charts.TEMPLATE)
from locales import t
from services.care.health_rules import LOW_VISION


def build_health_history_figure(df: pd.DataFrame) -> go.Figure:
    """Height and weight (top) and vision of both eyes (bottom) over the check dates.

    `df` is services.care.health.child_health_history(...): check_date, height_cm, weight_kg,
    vision_left, vision_right (other columns are ignored). An empty frame gives an empty chart
    with a note, so the caller need not special-case it.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{}]],
    )
    fig.update_layout(
        title=t("health.chart.title"),
        height=420,
        margin={"l": 40, "r": 40, "t": 50, "b": 30},
        legend={"orientation": "h", "y": -0.12},
    )
    if df.empty:
        fig.add_annotation(
            text=t("health.chart.empty"), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
        return fig
    x = pd.to_datetime(df["check_date"])
    lines = [
        ("height_cm", "health.chart.height", 1, False),
        ("weight_kg", "health.chart.weight", 1, True),
        ("vision_left", "health.chart.vision_left", 2, False),
        ("vision_right", "health.chart.vision_right", 2, False),
    ]
    for column, label_key, row, secondary in lines:
        fig.add_trace(
            go.Scatter(x=x, y=df[column], name=t(label_key), mode="lines+markers"),
            row=row,
            col=1,
            secondary_y=secondary if row == 1 else None,
        )
    fig.add_hline(
        y=LOW_VISION,
        line_dash="dot",
        line_color="green",
        annotation_text=t("health.chart.normal_vision"),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text=t("health.chart.height"), row=1, col=1, secondary_y=False)
    fig.update_yaxes(title_text=t("health.chart.weight"), row=1, col=1, secondary_y=True)
    fig.update_yaxes(range=[3.8, 5.4], row=2, col=1)
    return fig
