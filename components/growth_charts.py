"""Pure chart builder for a child's growth record over terms (一人一档's 成长记录)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import FONT, PALETTE
from components.safe_text import escape_html
from db.enums import GrowthScale
from db.growth_models import SCALE_COLUMNS, SCALE_MAX, SCALE_MIN
from locales import enum_label, t

MIDDLE = 50  # a percentile of 50 is the middle of the class


def build_growth_figure(df: pd.DataFrame) -> go.Figure:
    """Mean percentile (0–100, a line, top) and the four observation scales (1–5, grouped bars,
    bottom) per term.

    `df` is services.growth.terms.child_terms(...) for one child (term_name, percentile and the
    scales; other columns are ignored), in term order. A term without a value leaves a gap; an
    empty frame gives an empty chart with a note.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        subplot_titles=(
            t("growth_profile.chart.percentile_title"),
            t("growth_profile.chart.scales_title"),
        ),
    )
    fig.update_layout(
        font={"family": FONT},
        height=440,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.12},
    )
    if df.empty:
        fig.add_annotation(
            text=t("growth_profile.empty"),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
        return fig
    terms = [escape_html(name) for name in df["term_name"]]  # Plotly renders HTML tags
    fig.add_trace(
        go.Scatter(
            x=terms,
            y=df["percentile"],
            name=t("growth_profile.chart.percentile"),
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 3},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_hline(y=MIDDLE, line_dash="dot", line_color=PALETTE[7], row=1, col=1)
    for index, scale in enumerate(GrowthScale, start=1):  # bars: equal ratings never hide
        fig.add_trace(
            go.Bar(
                x=terms,
                y=df[scale.value],
                name=enum_label(scale),
                marker={"color": PALETTE[index]},
                hovertemplate="%{x} " + enum_label(scale) + ": %{y}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    for row, (columns, key) in enumerate(
        ((["percentile"], "no_results"), (list(SCALE_COLUMNS), "no_observations")), start=1
    ):
        if df[columns].isna().all().all():  # a panel without any value says so
            fig.add_annotation(
                text=t(f"growth_profile.chart.{key}"), showarrow=False, row=row, col=1,
                xref="x domain", yref="y domain", x=0.5, y=0.5,
            )  # fmt: skip
    fig.update_xaxes(type="category")
    middle = f"{t('growth_profile.chart.middle')} {MIDDLE}"  # on the axis: no point hides it
    fig.update_yaxes(
        range=[0, 100], tickvals=[0, MIDDLE, 100], ticktext=["0", middle, "100"], row=1, col=1
    )
    fig.update_yaxes(
        range=[0, SCALE_MAX + 0.3], tickvals=list(range(SCALE_MIN, SCALE_MAX + 1)), row=2, col=1
    )
    fig.update_layout(barmode="group", bargap=0.35)
    return fig
