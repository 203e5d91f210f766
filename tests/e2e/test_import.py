"""The principal imports a roster in a real browser: upload, dry run, import."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from db.engine import make_engine, read_session
from db.models import Child
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_principal_imports_a_roster(live_server, page, tmp_path):
    roster = tmp_path / "花名册.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山小学留守儿童花名册（浏览器测试）"])
    sheet.append(["学籍号", "姓名", "性别", "出生年月", "班级", "留守情况", "代理监护人"])
    sheet.append(["E2E0000001", "浏览器甲", "男", "2016.03", "三年级1班", "父母均外出", "甲奶奶"])
    sheet.append(["E2E0000002", "浏览器乙", "女", "2016年5月", "3.1", "母亲外出", "乙爷爷"])
    workbook.save(roster)

    login(page, live_server.url, "principal")
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    page.get_by_role("link", name="批量导入").click()
    wait_idle(page)
    page.locator("input[type=file]").set_input_files(str(roster))
    page.get_by_text("将新增 2 名、更新 0 名").wait_for(timeout=60_000)
    wait_idle(page)
    screenshot(page, "import_preview")
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入：新增 2 名，更新 0 名").wait_for(timeout=60_000)
    screenshot(page, "import_done")

    engine = make_engine(live_server.database_url)
    with read_session(engine) as session:
        count = session.scalar(select(func.count(Child.id)).where(Child.student_no.like("E2E%")))
    engine.dispose()
    assert count == 2
