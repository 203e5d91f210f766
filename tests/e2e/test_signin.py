"""A head teacher signs the whole class into an activity in a real browser, in one save."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from db.engine import make_engine, read_session, write_session
from db.enums import ActivityType
from db.models import Participation, User
from services.actor import load_actor
from services.care.activities import ActivityInput, save_activities
from services.care.signin_sheet import signin_roster
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e
TITLE = "浏览器签到测试活动"


def actor_named(session, username):
    return load_actor(session, session.scalar(select(User.id).where(User.username == username)))


@pytest.fixture
def activity(live_server):
    """An activity today involving the demo head teacher's class, nobody signed in yet."""
    engine = make_engine(live_server.database_url)
    with write_session(engine) as session:
        principal = actor_named(session, "principal")
        head = actor_named(session, "head_teacher")
        (room,) = head.head_of_classroom_ids
        item = ActivityInput(TITLE, ActivityType.READING, date.today(), "图书室", "语文组", None,
                             [room])  # fmt: skip
        (activity_id,) = save_activities(session, principal, [item])
    yield engine, activity_id, head
    engine.dispose()


def test_head_teacher_signs_a_class_into_an_activity(live_server, page, activity):
    engine, activity_id, head = activity
    login(page, live_server.url, "head_teacher")
    page.get_by_role("link", name="关爱活动").click()
    wait_idle(page)
    # A head teacher lands on the sign-in section (活动签到) of the page.
    pick = page.get_by_test_id("stSelectbox").filter(has_text="选择活动")
    pick.click()
    page.keyboard.type(TITLE)
    page.keyboard.press("Enter")
    wait_idle(page)

    page.get_by_text("全选本班").click()
    wait_idle(page)
    screenshot(page, "signin_ticked")
    page.get_by_role("button", name="保存签到").click()
    wait_idle(page)
    page.get_by_text("签到已保存").wait_for()
    screenshot(page, "signin_saved")

    with read_session(engine) as session:
        roster = signin_roster(session, head, activity_id)
        signed = session.scalars(
            select(Participation.child_id).where(
                Participation.activity_id == activity_id,
                Participation.attended.is_(True),
                Participation.deleted_at.is_(None),
            )
        ).all()
    assert len(roster) > 0
    assert sorted(signed) == sorted(roster["child_id"].tolist())


@pytest.mark.parametrize(
    ("username", "link", "expected"),
    [
        ("principal", "关爱活动", "保存"),
        ("principal", "体检", "体检覆盖率"),
        ("principal", "资助", "本学期资助合计"),
        ("counsellor", "心理辅导记录", "记入操作日志"),
    ],
)
def test_care_pages_render_in_a_browser(live_server, page, username, link, expected):
    login(page, live_server.url, username)
    page.get_by_role("link", name=link, exact=True).click()
    wait_idle(page)
    page.get_by_text(expected).first.wait_for()
    assert page.locator("[data-testid=stException]").count() == 0
    page.wait_for_timeout(1500)  # let the grid canvases paint before the picture
    screenshot(page, f"care_{username}_{link}")


def test_health_grid_refuses_an_impossible_height_in_the_browser(live_server, page):
    login(page, live_server.url, "principal")
    page.get_by_role("link", name="体检", exact=True).click()
    wait_idle(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    page.wait_for_timeout(1000)
    box = grid.bounding_box()
    assert box is not None
    # Fixed widths (services/care/health.py): id 60, name 90, left-behind 80, date 110, height 80.
    x = box["x"] + 60 + 90 + 80 + 110 + 40
    y = box["y"] + 35 + 17
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.keyboard.type("1")
    page.wait_for_timeout(200)
    page.keyboard.type("3.2")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="保存", exact=True).click()
    wait_idle(page)
    page.get_by_text("处数据不符合要求").wait_for()
    page.wait_for_timeout(1000)
    screenshot(page, "health_refused")
    assert page.get_by_text("未保存任何内容").count() >= 1


def test_participation_section_compares_left_behind_and_other_children(live_server, page):
    login(page, live_server.url, "principal")
    page.get_by_role("link", name="关爱活动", exact=True).click()
    wait_idle(page)
    page.get_by_test_id("stButtonGroup").get_by_text("留守儿童参与情况").click()
    wait_idle(page)
    page.get_by_text("非留守儿童参与率").first.wait_for()
    assert page.locator("[data-testid=stException]").count() == 0
    page.wait_for_timeout(1500)
    screenshot(page, "care_participation")
