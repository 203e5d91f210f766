"""Smoke: the counsellor lands on 首页 and sees the school's headline counts in Chinese,
the same figures the service computes from the database, with no exception box."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import make_engine, read_session
from db.models import User
from services.actor import load_actor
from services.metrics.headcounts import school_headline
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def expected_headline(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    with read_session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.username == "counsellor"))
        headline = school_headline(session, load_actor(session, user_id))
    engine.dispose()
    return headline


def test_home_page_shows_the_schools_counts(live_server, page):
    headline = expected_headline(live_server.database_url)
    assert headline.children > 0

    login(page, live_server.url, "counsellor")
    page.get_by_role("heading", name="首页").first.wait_for()
    wait_idle(page)

    metrics = {
        m.locator("[data-testid=stMetricLabel]").inner_text().strip(): m.locator(
            "[data-testid=stMetricValue]"
        )
        .inner_text()
        .strip()
        for m in page.locator("[data-testid=stMetric]").all()
    }
    assert metrics["在校生总数"] == f"{headline.children:,}"
    assert metrics["留守儿童数"] == f"{headline.left_behind:,}"
    assert metrics["留守儿童占比"] == f"{headline.left_behind_share:.1%}"
    assert metrics["双亲外出占比"] == f"{headline.both_parents_share:.1%}"
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "home_counsellor")


def test_demo_mode_keeps_the_archive_closed_on_a_projector(live_server, page):
    login(page, live_server.url, "principal")
    page.get_by_text("演示模式（信息脱敏）").click()
    wait_idle(page)
    page.get_by_role("link", name="儿童档案").click()
    wait_idle(page)
    page.get_by_text("演示模式已开启").first.wait_for()
    assert page.locator("[data-testid=stDataFrame]").count() == 0
    screenshot(page, "demo_mode_archive_closed")

    page.get_by_text("演示模式（信息脱敏）").click()  # off again: the archive opens
    wait_idle(page)
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    assert page.get_by_text("演示模式已开启").count() == 0
