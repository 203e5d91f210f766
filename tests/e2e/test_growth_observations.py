"""成长观察 in a real browser (Chromium): the head teacher rates a child by keyboard, saves, and
sees the ratings on the child's 一人一档 (成长记录 chart and table)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine, read_session
from db.growth_models import GrowthObservation
from db.models import User
from services.actor import load_actor
from services.care.participation import current_term_id
from services.growth.observations import observation_frame, observation_specs
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e

ROW_H = 35  # rows and header of the grid
WAIT_MS = 30_000
SHOWN = ("name", "left_behind", "study", "emotion", "habits", "self_care", "note")
WANTED = {"study": 4, "emotion": 2, "habits": 5, "self_care": 3}


def centre_x(field: str) -> int:
    """After the row marker (34 px) and id (60 px), the class grid's columns at their widths."""
    specs = {spec.field: spec for spec in observation_specs(with_class=False)}
    before = SHOWN[: SHOWN.index(field)]
    return 34 + 60 + sum(specs[f].display_width for f in before) + specs[field].display_width // 2


def first_row(database_url: str):  # type: ignore[no-untyped-def]
    """(head teacher's actor, term id, the first child of her class's grid)."""
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            user_id = session.scalar(select(User.id).where(User.username == "head_teacher"))
            actor = load_actor(session, user_id)
            term_id = current_term_id(session, actor, date.today())
            room_id = min(actor.head_of_classroom_ids)
            frame = observation_frame(session, actor, term_id, room_id)
            return term_id, frame.iloc[0]
    finally:
        engine.dispose()


def ratings_unlike(child) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """WANTED, each moved by one where the demo data already holds that rating (a save needs
    a change)."""
    stored = {f: child[f] for f in WANTED}
    return {f: v % 5 + 1 if stored[f] == str(v) else v for f, v in WANTED.items()}


def rate(page: Page, field: str, digit: int) -> None:
    """Open the first row's select cell, type the rating and take the option it filters to."""
    grid = page.locator("[data-testid=stDataFrame]").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + centre_x(field), box["y"] + ROW_H + ROW_H // 2)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.type(str(digit))
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    wait_idle(page)


def test_head_teacher_rates_a_child_and_sees_it_on_the_profile(live_server, page):
    term_id, child = first_row(live_server.database_url)
    ratings = ratings_unlike(child)
    login(page, live_server.url, "head_teacher")
    page.get_by_role("link", name="成长观察").click()
    wait_idle(page)
    page.locator("[id^=glide-cell]", has_text=child["name"]).first.wait_for(state="attached")
    for field, digit in ratings.items():
        rate(page, field, digit)
    expect(page.get_by_role("button", name="保存")).to_be_enabled(timeout=WAIT_MS)
    page.get_by_role("button", name="保存").click()
    wait_idle(page)
    expect(page.get_by_text("已保存：")).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "growth_observations_saved")

    engine = make_engine(live_server.database_url)
    try:
        with read_session(engine) as session:
            row = session.scalar(
                select(GrowthObservation).where(
                    GrowthObservation.child_id == int(child["id"]),
                    GrowthObservation.term_id == term_id,
                )
            )
            assert {f: getattr(row, f) for f in ratings} == ratings
    finally:
        engine.dispose()

    page.goto(f"{live_server.url}/child_profile?child={int(child['id'])}")
    wait_idle(page)
    page.get_by_role("tab", name="成长记录").click()
    wait_idle(page)
    expect(page.locator("[data-testid=stPlotlyChart]").first).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("成长观察（1–5 分）").first).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "growth_profile")


def test_a_cleared_rating_is_refused_by_name_and_the_edit_stays(live_server, page):
    term_id, child = first_row(live_server.database_url)
    login(page, live_server.url, "head_teacher")
    page.get_by_role("link", name="成长观察").click()
    wait_idle(page)
    page.locator("[id^=glide-cell]", has_text=child["name"]).first.wait_for(state="attached")
    for field, digit in ratings_unlike(child).items():  # make sure the row is rated
        rate(page, field, digit)
    page.get_by_role("button", name="保存").click()
    wait_idle(page)
    expect(page.get_by_text("已保存：")).to_be_visible(timeout=WAIT_MS)
    before = stored_ratings(live_server.database_url, int(child["id"]), term_id)

    box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
    page.mouse.click(box["x"] + centre_x("emotion"), box["y"] + ROW_H + ROW_H // 2)
    page.wait_for_timeout(300)
    page.keyboard.press("Delete")  # 情绪 cleared, the other three kept: refused
    wait_idle(page)
    page.get_by_role("button", name="保存").click()
    wait_idle(page)
    problems = page.locator("[data-testid=stDataFrame]").last
    expect(page.get_by_text("未保存任何内容")).to_be_visible(timeout=WAIT_MS)
    expect(problems).to_be_visible()
    assert stored_ratings(live_server.database_url, int(child["id"]), term_id) == before
    expect(page.get_by_role("button", name="保存")).to_be_enabled()  # the edit is still there
    screenshot(page, "growth_observations_refused")


def stored_ratings(database_url: str, child_id: int, term_id: int) -> tuple:
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            row = session.scalar(
                select(GrowthObservation).where(
                    GrowthObservation.child_id == child_id, GrowthObservation.term_id == term_id
                )
            )
            return (row.version, *(getattr(row, f) for f in WANTED))
    finally:
        engine.dispose()
