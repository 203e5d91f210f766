"""Charts take the app's template (plotly_white) as Plotly's default, never through
update_layout(template=...), which re-validated the whole template on every figure (#15)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import charts
from components.health_charts import build_health_history_figure

EMPTY = pd.DataFrame(columns=["label", "month", "rate", "rule", "met", "due"])


@pytest.fixture
def update_layout_calls(monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[dict] = []
    original = go.Figure.update_layout

    def recorded(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(go.Figure, "update_layout", recorded)
    return calls


def test_dashboard_charts_are_white_without_revalidating_the_template(update_layout_calls):
    month = pd.DataFrame({"label": ["三年级(1)班"], "month": ["2026-10"], "rate": [0.5]})
    fig = charts.build_compliance_heatmap_figure(month)
    assert fig.layout.template.layout.paper_bgcolor == "white"
    assert update_layout_calls and not any("template" in c for c in update_layout_calls)


def test_the_health_chart_has_the_same_template():
    fig = build_health_history_figure(pd.DataFrame(columns=["check_date"]))
    assert fig.layout.template.layout.paper_bgcolor == "white"
