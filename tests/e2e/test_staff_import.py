"""The principal imports the staff sheet in a real browser and hands out the slips; a new head
teacher signs in with the slip's one-time password, must change it, then sees their class.
On the seeded school's live server, SQLite and (TEST_DATABASE_URL set) PostgreSQL."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from db.engine import make_engine, read_session
from db.enums import AuditAction, Role
from db.models import AuditEntry, Classroom, User
from tests.conftest import BACKENDS
from tests.e2e.conftest import (
    change_forced_password,
    login,
    screenshot,
    slip_password,
    wait_idle,
)

pytestmark = pytest.mark.e2e
MOBILE = "13912345601"
NEW_PASSWORD = "Qingshan#2026x"


def first_classroom(database_url: str) -> str:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        name = session.scalars(select(Classroom.name).order_by(Classroom.id)).first()
    engine.dispose()
    assert name
    return name


def staff_sheet(path, classroom: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山小学教职工名单（浏览器测试）"])
    sheet.append(["序号", "姓名", "手机号码", "职务", "任教班级", "班主任班级"])
    sheet.append([1, "浏览器班主任", MOBILE, "班主任", classroom, classroom])
    sheet.append([2, "浏览器老师", None, "语文教师", classroom, None])
    workbook.save(path)


def open_menu_entry(page, name: str) -> None:
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    page.get_by_role("link", name=name).click()
    wait_idle(page)


@pytest.mark.parametrize("live_server", BACKENDS, indirect=True)
def test_staff_sheet_to_a_signed_in_head_teacher(live_server, page, browser, tmp_path):
    classroom = first_classroom(live_server.database_url)
    sheet = tmp_path / "教职工名单.xlsx"
    staff_sheet(sheet, classroom)

    login(page, live_server.url, "principal")
    open_menu_entry(page, "导入教职工")
    page.locator("input[type=file]").set_input_files(str(sheet))
    page.get_by_text("将新建 2 个账号、更新 0 个").wait_for(timeout=60_000)
    wait_idle(page)
    page.set_viewport_size({"width": 1400, "height": 1500})  # the app scrolls inside itself
    page.wait_for_timeout(1000)  # let the preview table paint
    screenshot(page, "staff_import_preview")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入：新建 2 个账号").wait_for(timeout=90_000)
    wait_idle(page)
    assert page.get_by_role("button", name="确认导入").count() == 0
    screenshot(page, "staff_import_done")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载账号条（PDF）").click()
    pdf = info.value.path().read_bytes()
    text, password = slip_password(pdf, MOBILE)
    assert "浏览器班主任" in text and "浏览器老师" in text

    engine = make_engine(live_server.database_url)
    with read_session(engine) as session:
        head = session.scalars(select(User).where(User.username == MOBILE)).one()
        assert head.role == Role.HEAD_TEACHER and head.must_change_password
        head_id = head.id
        exports = session.scalars(
            select(AuditEntry.after).where(
                AuditEntry.action == AuditAction.EXPORT, AuditEntry.entity == "staff_slips"
            )
        ).all()
    assert len(exports) == 1 and password not in str(exports[0])

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    teacher = context.new_page()
    try:
        login(teacher, live_server.url, MOBILE, password)
        change_forced_password(teacher, password, NEW_PASSWORD)
        open_menu_entry(teacher, "儿童档案")
        # The grid is a canvas; its accessible table (hidden) holds the cells: the class's children.
        cells = teacher.get_by_role("gridcell", name=classroom, exact=True, include_hidden=True)
        cells.first.wait_for(state="attached")
        assert cells.count() > 0
        teacher.wait_for_timeout(1000)
        screenshot(teacher, "staff_import_teacher_class")
    finally:
        context.close()
    with read_session(engine) as session:
        assert not session.get(User, head_id).must_change_password
    engine.dispose()
