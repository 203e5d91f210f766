"""The principal opens 总览 in a real browser and sees the KPI cards and the six charts;
the head teacher lands on 我的待办."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_principal_sees_dashboard_charts(live_server, page):
    login(page, live_server.url, "principal")  # lands on 首页 (the first-week checklist)
    page.get_by_role("link", name="总览", exact=True).click()
    page.get_by_role("heading", name="总览").first.wait_for()
    # Six chart containers, each with its plot drawn (Plotly renders asynchronously).
    page.wait_for_function(
        """() => {
            const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
            return charts.length === 6 && charts.every(c => c.querySelector('.main-svg'));
        }""",
        timeout=90_000,
    )
    wait_idle(page)
    page.get_by_text("本学期至今联系达标率").first.wait_for()
    assert page.get_by_text("各班各月联系达标率").count() >= 1
    assert page.locator("[data-testid=stPlotlyChart]").count() == 6
    screenshot(page, "dashboard_principal")
    for index, name in ((1, "dashboard_charts_compliance"), (4, "dashboard_charts_activities")):
        page.locator("[data-testid=stPlotlyChart]").nth(index).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        screenshot(page, name)


def test_head_teacher_lands_on_todo(live_server, page):
    login(page, live_server.url, "head_teacher")
    page.get_by_role("heading", name="我的待办").first.wait_for()
    wait_idle(page)
    assert page.get_by_role("button", name="记录联系").count() >= 1
    screenshot(page, "todo_head_teacher")
