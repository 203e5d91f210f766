"""A teacher's phone (390×844): the head teacher and the teacher land on 我的待办 grouped by child,
log a contact from a card and come back to the to-do in one tap; a menu tap folds the menu away."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from db.engine import make_engine, read_session
from db.models import Contact
from tests.e2e.conftest import login, screenshot, wait_idle

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
SUMMARY = "手机上登记：孩子近况良好"


@pytest.fixture
def phone(page: Page) -> Page:
    """The test's page at a phone's size (a desktop browser's user agent: only the width is a
    phone's, so Streamlit's own phone behaviour does not kick in)."""
    page.set_viewport_size(PHONE)
    return page


def menu_folded(page: Page) -> bool:
    return page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "true"


def contacts_saved(database_url: str) -> int:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        count = session.scalar(select(func.count()).where(Contact.summary == SUMMARY)) or 0
    engine.dispose()
    return count


@pytest.mark.parametrize("username", ["head_teacher", "teacher"])
def test_log_a_contact_from_the_grouped_todo_and_come_back_in_one_tap(live_server, phone, username):
    before = contacts_saved(live_server.database_url)
    login(phone, live_server.url, username)
    phone.get_by_role("heading", name="我的待办").first.wait_for()
    assert menu_folded(phone)
    cards = phone.locator("[class*=st-key-todo_child_]")  # one card per child
    cards.first.wait_for()
    # One card per child: the child's name opens 一人一档, each duty says what would meet it.
    first = cards.first
    assert (
        first.locator("[data-testid=stPageLink-NavLink]")
        .first.get_attribute("href")
        .endswith("child_profile?child=" + first_child_id(first))
    )
    assert first.get_by_text("需").count() >= 1
    screenshot(phone, f"phone_todo_{username}")

    first.get_by_role("button", name="记录联系").first.click()
    wait_idle(phone)
    phone.get_by_role("heading", name="家校联系记录").first.wait_for()
    phone.get_by_label("联系内容").fill(SUMMARY)
    phone.get_by_role("button", name="保存这次联系").click()
    wait_idle(phone)
    phone.get_by_text("已保存").first.wait_for()
    screenshot(phone, f"phone_contact_saved_{username}")
    assert contacts_saved(live_server.database_url) == before + 1

    phone.get_by_role("link", name="返回我的待办").click()  # the one tap back
    wait_idle(phone)
    phone.get_by_role("heading", name="我的待办").first.wait_for()
    assert phone.locator("[data-testid=stException]").count() == 0


def first_child_id(card) -> str:  # type: ignore[no-untyped-def]
    href = card.locator("[data-testid=stPageLink-NavLink]").first.get_attribute("href") or ""
    return href.rsplit("child=", 1)[-1]


def test_the_menu_folds_away_after_a_tap_on_a_phone(live_server, phone):
    login(phone, live_server.url, "head_teacher")
    phone.get_by_role("heading", name="我的待办").first.wait_for()
    phone.get_by_test_id("stExpandSidebarButton").click()
    phone.get_by_role("link", name="一人一档").wait_for()
    assert not menu_folded(phone)
    phone.get_by_role("link", name="一人一档").click()
    wait_idle(phone)
    phone.get_by_role("heading", name="一人一档").first.wait_for()
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'true'"
    )
    # One person, one file: the child, then father, mother and guardian, a block each.
    blocks = [
        b
        for b in ("儿童本人", "父亲", "母亲", "监护人")
        if phone.get_by_text(b, exact=True).count()
    ]
    assert blocks == ["儿童本人", "父亲", "母亲", "监护人"]
    tops = [phone.get_by_text(b, exact=True).first.bounding_box()["y"] for b in blocks]
    assert tops == sorted(tops)
    screenshot(phone, "phone_profile")
