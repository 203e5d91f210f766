"""The archive grid and the contact quick-entry form in a real browser (Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import read_session
from db.models import Child, Classroom, Contact, User
from services.records.child_columns import CHILD_COLUMNS
from tests.e2e import grid
from tests.e2e.conftest import login as shared_login
from tests.e2e.conftest import screenshot, wait_idle

pytestmark = pytest.mark.e2e


def _centre_x(field: str) -> int:
    """Where to click in a column of the 监护人 group: after the row marker (34 px) and id (60 px),
    学籍号, 姓名 and the group's columns at the widths the grid gives them (ColumnSpec.
    display_width; headers in zh_CN, the default language), halfway into `field`."""
    specs = {spec.field: spec for spec in CHILD_COLUMNS}
    shown = ("student_no", "name", "guardian_name", "guardian_relation", "guardian_phone")
    before = shown[: shown.index(field)]
    return 34 + 60 + sum(specs[f].display_width for f in before) + specs[field].display_width // 2


PHONE_X = _centre_x("guardian_phone")  # rows and header are 35 px high
NAME_X = _centre_x("guardian_name")
ROW_H = 35
WAIT_MS = 30_000  # the machine may be busy: reruns can take seconds


def login(page: Page, base_url: str, username: str) -> None:
    """Sign in with the shared helper (it presses again if a press is lost), then wait for
    the navigation."""
    shared_login(page, base_url, username)
    # Attached, not visible: at phone width the sidebar (and its links) start folded away.
    page.get_by_role("link", name="家校联系记录").wait_for(state="attached")
    wait_idle(page)


def head_teachers_child(engine):  # type: ignore[no-untyped-def]
    """(id, name, student_no, guardian_phone, version) of a child of the head teacher's class."""
    with read_session(engine) as session:
        return session.execute(
            select(Child.id, Child.name, Child.student_no, Child.guardian_phone, Child.version)
            .join(Classroom, Classroom.id == Child.classroom_id)
            .join(User, User.id == Classroom.head_teacher_id)
            .where(User.username == "head_teacher", Child.deleted_at.is_(None))
            .order_by(Child.id)
        ).first()


def open_guardian_columns_of(page: Page, student_no: str) -> None:
    page.get_by_role("link", name="儿童档案").click()
    wait_idle(page)
    search = page.get_by_label("搜索姓名、学籍号或电话")
    search.fill(student_no)
    search.press("Enter")
    wait_idle(page)
    page.locator("[data-testid=stButtonGroup] button", has_text="监护人").click()
    wait_idle(page)
    expect(page.get_by_text("共 1 条")).to_be_visible(timeout=WAIT_MS)
    # The grid is drawn on a canvas; its accessible cells tell when our row is there.
    grid.wait_for_cell(page, student_no)


def type_into_phone_cell(page: Page, expected_old: str, value: str) -> None:
    grid.type_into_cell(page, lambda _width: PHONE_X, value, expected_old)


def grid_texts(page: Page) -> list[str]:
    return [cell.inner_text() for cell in page.locator("[id^=glide-cell]").all()]


def stored_phone(engine, child_id: int) -> tuple[str, int]:
    with read_session(engine) as session:
        child = session.get(Child, child_id)
        return child.guardian_phone, child.version


def test_edit_a_cell_save_and_see_it_after_reload(live_server, page, engine):
    child = head_teachers_child(engine)
    login(page, live_server.url, "head_teacher")
    open_guardian_columns_of(page, child.student_no)

    type_into_phone_cell(page, child.guardian_phone, "13987654321")
    grid.press_save_and_see(page, "已保存：新增 0 行，修改 1 行")
    assert stored_phone(engine, child.id) == ("13987654321", child.version + 1)

    grid.see_after_reload(
        page, lambda: open_guardian_columns_of(page, child.student_no), "13987654321"
    )
    screenshot(page, "children_saved")


def test_invalid_phone_names_row_and_field_and_writes_nothing(live_server, page, engine):
    child = head_teachers_child(engine)
    before = stored_phone(engine, child.id)
    login(page, live_server.url, "head_teacher")
    open_guardian_columns_of(page, child.student_no)

    type_into_phone_cell(page, before[0], "12345")
    grid.press_save_and_see(page, "有 1 处数据不符合要求，未保存任何内容")
    grid.wait_for_cell(page, "电话格式不对")
    cells = grid_texts(page)
    assert [child.name, "监护人电话", "12345"] == cells[-4:-1]  # the problem table's row
    assert "电话格式不对" in cells[-1]
    assert cells.count("12345") == 2  # the edit stays in the grid
    assert stored_phone(engine, child.id) == before
    screenshot(page, "children_invalid_phone")


def test_quick_contact_entry_at_phone_width(live_server, browser, engine):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    context.set_default_timeout(30_000)
    phone = context.new_page()
    try:
        login(phone, live_server.url, "teacher")
        phone.goto(f"{live_server.url}/contacts")
        wait_idle(phone)
        expect(phone.get_by_text("快速登记一次联系")).to_be_visible(timeout=WAIT_MS)
        form = phone.get_by_test_id("stForm")
        # A full page load signs in again from the cookie, and the cookie component's own rerun
        # can swallow what is typed or pressed at that moment: type and press again, as a user
        # would (the saved rows are counted below, so a double save would fail the test).
        for _ in range(3):
            summary = form.get_by_label("联系内容")
            if summary.input_value() != "家访：奶奶身体好，孩子作业按时完成":
                summary.fill("家访：奶奶身体好，孩子作业按时完成")
            form.get_by_role("button", name="保存这次联系").click()
            wait_idle(phone)
            if phone.get_by_text("已保存：").count():
                break
            phone.wait_for_timeout(2_000)
        expect(phone.get_by_text("已保存：")).to_be_visible(timeout=WAIT_MS)
        screenshot(phone, "contacts_quick_entry_phone")
        with read_session(engine) as session:
            saved = session.execute(
                select(Contact.summary, User.username)
                .join(User, User.id == Contact.teacher_id)
                .where(Contact.summary == "家访：奶奶身体好，孩子作业按时完成")
            ).all()
        assert [tuple(row) for row in saved] == [("家访：奶奶身体好，孩子作业按时完成", "teacher")]
    finally:
        context.close()


def test_a_stale_save_names_who_changed_the_row_and_the_row_can_be_reloaded(
    live_server, page, engine
):
    from db.engine import write_session
    from services.actor import load_actor
    from services.records import children
    from services.records.specs import GridChanges, RowUpdate

    child = head_teachers_child(engine)
    login(page, live_server.url, "head_teacher")
    open_guardian_columns_of(page, child.student_no)
    type_into_phone_cell(page, child.guardian_phone, "13811112222")

    with write_session(engine) as session:  # meanwhile the principal saves the same child
        principal = load_actor(
            session, session.scalar(select(User.id).where(User.username == "principal"))
        )
        change = RowUpdate(child.id, child.version, child.name, {"guardian_health": "校长刚改"})
        children.save_children(session, principal, GridChanges(updates=[change]))

    grid.press_save_and_see(page, f"“{child.name}”已被")
    screenshot(page, "children_conflict")
    assert stored_phone(engine, child.id) == (child.guardian_phone, child.version + 1)

    page.get_by_role("button", name="重新载入此行").click()
    wait_idle(page)
    grid.wait_for_cell(page, "校长刚改")
    expect(page.get_by_text(f"“{child.name}”已被")).to_have_count(0, timeout=WAIT_MS)
    assert "13811112222" not in grid_texts(page)


def test_cells_pasted_from_excel_are_saved(live_server, browser, engine):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        child = head_teachers_child(engine)
        login(page, live_server.url, "head_teacher")
        open_guardian_columns_of(page, child.student_no)
        box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
        page.mouse.click(box["x"] + NAME_X, box["y"] + ROW_H + ROW_H // 2)
        page.wait_for_timeout(300)
        # Three cells of one Excel row: name, relation, phone (tab-separated on the clipboard).
        page.evaluate("navigator.clipboard.writeText('李桂芳\\t外婆\\t13612345678')")
        page.keyboard.press("Control+V")
        expect(page.get_by_role("button", name="保存")).to_be_enabled(timeout=WAIT_MS)
        grid.press_save_and_see(page, "已保存：新增 0 行，修改 1 行")
        with read_session(engine) as session:
            stored = session.get(Child, child.id)
            assert (stored.guardian_name, stored.guardian_relation, stored.guardian_phone) == (
                "李桂芳", "外婆", "13612345678",
            )  # fmt: skip
    finally:
        context.close()
