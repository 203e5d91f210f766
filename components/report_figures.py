"""The dashboard's charts for the bureau report: Dashboard frames → the same Plotly figures.

Passed to services/reports/exports.py as `figures=` so the report embeds what the 总览 page shows
while services never import components (DESIGN.md §3).
"""

from __future__ import annotations

import plotly.graph_objects as go

from components import charts
from services.metrics.dashboard import Dashboard


def report_figures(dashboard: Dashboard) -> dict[str, go.Figure]:
    """name → figure; the names are the chart.* title keys the report captions use."""
    return {
        "left_behind_by_grade": charts.build_left_behind_by_grade_figure(
            dashboard.left_behind_by_grade
        ),
        "compliance_heatmap": charts.build_compliance_heatmap_figure(
            dashboard.compliance_heatmap, by_school=dashboard.by_school
        ),
        "compliance_trend": charts.build_compliance_trend_figure(dashboard.compliance_trend),
        "contacts_by_channel": charts.build_contacts_by_channel_figure(
            dashboard.contacts_by_channel
        ),
        "participation_by_type": charts.build_participation_by_type_figure(
            dashboard.participation_chart
        ),
    }


def dashboard_figures(dashboard: Dashboard) -> list[go.Figure]:
    """The 总览 page's six charts in page order: the report's five and compliance by owner."""
    figures = report_figures(dashboard)
    by_owner = charts.build_compliance_by_teacher_figure(
        dashboard.compliance_by_owner, by_school=dashboard.by_school
    )
    return [
        figures["compliance_heatmap"],
        figures["compliance_trend"],
        by_owner,
        figures["left_behind_by_grade"],
        figures["participation_by_type"],
        figures["contacts_by_channel"],
    ]
