"""Plotly figures as pure functions `build_*_figure(df) -> go.Figure` (no Streamlit, testable).

One palette for the whole app: PALETTE for series, RATE_SCALE for rates (red → amber → green),
LEFT_BEHIND_COLOURS so a left-behind type has the same colour on every chart. Labels come from
locales/ (keys "chart.*" and the enum names).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from components.safe_text import escape_html
from db.enums import ActivityType, ContactChannel, LeftBehindType
from locales import enum_label, t

PALETTE = ["#2F6DB5", "#E07B39", "#3A9D5D", "#C94A4A", "#8A63B8", "#8C6D46", "#D16BA5", "#6F7C85"]
RATE_SCALE = [[0.0, "#C94A4A"], [0.6, "#F2B134"], [1.0, "#3A9D5D"]]
LEFT_BEHIND_COLOURS = {
    LeftBehindType.BOTH.value: PALETTE[3],
    LeftBehindType.FATHER.value: PALETTE[0],
    LeftBehindType.MOTHER.value: PALETTE[4],
    LeftBehindType.NONE.value: PALETTE[7],
}
GROUP_COLOURS = {"left_behind": PALETTE[1], "other": PALETTE[7]}
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Every app chart's template, as Plotly's default: a new figure takes the default without
# re-validating it, while `update_layout(template=...)` re-validated the whole template on each
# figure (≈ 0.1–0.25 s of CPU per chart, six per 总览 run). health_charts imports this module.
TEMPLATE = "plotly_white"
pio.templates.default = TEMPLATE


def _layout(fig: go.Figure, title_key: str, **axes: str) -> go.Figure:
    fig.update_layout(
        title=t(title_key),
        font={"family": FONT},
        colorway=PALETTE,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
    )
    if "x" in axes:
        fig.update_xaxes(title_text=t(axes["x"]))
    if "y" in axes:
        fig.update_yaxes(title_text=t(axes["y"]))
    return fig


def _empty(fig: go.Figure, df: pd.DataFrame) -> go.Figure:
    if df.empty:
        fig.add_annotation(
            text=t("chart.no_data"), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
    return fig


def build_compliance_heatmap_figure(df: pd.DataFrame, by_school: bool = False) -> go.Figure:
    """Rate per class (or school, for the bureau) × month. df: label, month, rate (0–1)."""
    labels = [escape_html(v) for v in df["label"].fillna("-")]  # Plotly renders HTML tags
    rows = list(dict.fromkeys(labels))
    months = sorted(set(df["month"]))
    grid = pd.DataFrame(index=rows, columns=months, dtype=float)
    for label, month, rate in zip(labels, df["month"], df["rate"], strict=True):
        grid.loc[label, month] = rate
    z = (grid * 100).round(1)
    fig = go.Figure(
        go.Heatmap(
            z=z.values.tolist(),
            x=months,
            y=rows,
            zmin=0,
            zmax=100,
            colorscale=RATE_SCALE,
            colorbar={"title": {"text": "%"}},
            text=[[("" if pd.isna(v) else f"{v:.0f}%") for v in row] for row in z.values],
            texttemplate="%{text}",
            hovertemplate="%{y} %{x}: %{z:.1f}%<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    title, rows = (
        ("chart.compliance_heatmap_school", "chart.school")
        if by_school
        else ("chart.compliance_heatmap", "chart.class")
    )
    return _empty(_layout(fig, title, x="chart.month", y=rows), df)


def build_compliance_trend_figure(df: pd.DataFrame) -> go.Figure:
    """One line per rule over months. df: rule_name, month, rate (0–1)."""
    fig = go.Figure()
    for index, (rule, part) in enumerate(df.groupby("rule_name", sort=False)):
        part = part.sort_values("month")
        fig.add_trace(
            go.Scatter(
                x=list(part["month"]),
                y=[round(v * 100, 1) for v in part["rate"]],
                mode="lines+markers",
                name=escape_html(rule),
                line={"color": PALETTE[index % len(PALETTE)]},
            )
        )
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return _empty(_layout(fig, "chart.compliance_trend", x="chart.month", y="chart.rate"), df)


def build_compliance_by_teacher_figure(df: pd.DataFrame, by_school: bool = False) -> go.Figure:
    """Horizontal bars, lowest rate on top. df: label (teacher, or school for the bureau), rate
    (0–1), met, due."""
    ordered = df.sort_values("rate", ascending=True, na_position="first")
    fig = go.Figure(
        go.Bar(
            x=[round(v * 100, 1) for v in ordered["rate"].fillna(0)],
            y=[escape_html(v) for v in ordered["label"].fillna(t("chart.unassigned"))],
            orientation="h",
            marker={"color": PALETTE[0]},
            text=[f"{m}/{d}" for m, d in zip(ordered["met"], ordered["due"], strict=True)],
            textposition="auto",
        )
    )
    fig.update_xaxes(range=[0, 105], ticksuffix="%")
    fig.update_layout(height=max(300, 24 * len(ordered) + 120))
    title = "chart.compliance_by_school" if by_school else "chart.compliance_by_teacher"
    return _empty(_layout(fig, title, x="chart.rate"), df)


def build_left_behind_by_grade_figure(df: pd.DataFrame) -> go.Figure:
    """Children per grade stacked by left-behind type. df: grade, left_behind_type, children."""
    fig = go.Figure()
    grades = sorted(set(df["grade"])) if not df.empty else []
    for lbt in LeftBehindType:
        part = df[df["left_behind_type"] == lbt.value].set_index("grade")["children"]
        fig.add_trace(
            go.Bar(
                x=[t("chart.grade_n", n=g) for g in grades],
                y=[int(part.get(g, 0)) for g in grades],
                name=enum_label(lbt),
                marker={"color": LEFT_BEHIND_COLOURS[lbt.value]},
            )
        )
    fig.update_layout(barmode="stack")
    return _empty(_layout(fig, "chart.left_behind_by_grade", y="chart.children"), df)


def build_participation_by_type_figure(df: pd.DataFrame) -> go.Figure:
    """Grouped bars: share of each group who attended, per activity type.

    df: activity_type, group ("left_behind"/"other"), share (0–1), participants.
    """
    types = [a.value for a in ActivityType if a.value in set(df["activity_type"])]
    fig = go.Figure()
    for group in ("left_behind", "other"):
        part = df[df["group"] == group].set_index("activity_type")
        fig.add_trace(
            go.Bar(
                y=[enum_label(a, ActivityType) for a in types],
                x=[round(float(part["share"].get(a, 0) or 0) * 100, 1) for a in types],
                orientation="h",
                name=t(f"chart.group.{group}"),
                marker={"color": GROUP_COLOURS[group]},
                customdata=[int(part["participants"].get(a, 0)) for a in types],
                hovertemplate="%{y}: %{x:.1f}% (%{customdata})<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", height=max(320, 44 * len(types) + 140))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(ticksuffix="%", range=[0, 105])
    return _empty(_layout(fig, "chart.participation_by_type", x="chart.participation"), df)


def build_contacts_by_channel_figure(df: pd.DataFrame) -> go.Figure:
    """Contacts per channel as bars. df: channel, contacts."""
    fig = go.Figure(
        go.Bar(
            x=[enum_label(c, ContactChannel) for c in df["channel"]],
            y=[int(v) for v in df["contacts"]],
            marker={"color": [PALETTE[i % len(PALETTE)] for i in range(len(df))]},
        )
    )
    return _empty(_layout(fig, "chart.contacts_by_channel", y="chart.contacts"), df)
