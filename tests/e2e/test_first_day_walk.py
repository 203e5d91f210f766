"""A real school's whole first day in a real browser (#14), on SQLite and on PostgreSQL.

Started as `make run DEMO=0` starts it (`python -m seed --start real`, then the app with
CARELEDGER_DEMO=0) on a brand-new database: the setup wizard makes the school and its
administrator; the administrator signs in, imports the staff sheet, downloads the slips with the
one-time passwords, imports the county's roster and signs out; the new head teacher signs in with
the slip, must choose a password, and finds the children of their class in 儿童档案 — and only
those. No terminal command beyond what `make run` types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from db.engine import make_engine, read_session
from db.enums import Role
from db.models import (
    AuditEntry,
    Child,
    Classroom,
    ContactRule,
    School,
    TeachingAssignment,
    Term,
    User,
)
from tests.conftest import BACKENDS
from tests.e2e.conftest import (
    change_forced_password,
    fresh_database,
    login,
    run_module,
    screenshot,
    serve,
    slip_password,
    submit_login,
    wait_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_first_day")]

ADMIN, ADMIN_PASSWORD = "wang", "Qingshan-2026"
HEAD_MOBILE, HEAD_NAME, HEAD_PASSWORD = "13912345601", "李春梅", "Chunmei#2026"
OWN_CLASS = ("刘小雨", "陈大山", "周小燕")  # 三年级(1)班, written three ways in the roster
OTHER_CLASS = ("孙小明",)  # 四年级(2)班
ROW_PX = 35  # a table row's height in Streamlit's grid (and its header's)
LONG = 90_000  # bcrypt of every slip, a busy machine: generous, never a timed assertion


class FirstDayServer(NamedTuple):
    url: str
    database_url: str
    backend: str


@pytest.fixture(params=BACKENDS)
def first_day_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FirstDayServer]:
    """A brand-new database started the way `make run DEMO=0` starts it."""
    with fresh_database(request.param, tmp_path) as database_url:
        run_module(database_url, "seed", "--start", "real", CARELEDGER_DEMO="0")
        printed = run_module(database_url, "seed.logins", PORT="8501")
        assert "demo1234" not in printed and "setup wizard" in printed, printed
        make_run = {"CARELEDGER_DEMO": "0", "CARELEDGER_AUTO_BACKUP": "1"}
        with serve(database_url, tmp_path, make_run) as url:
            yield FirstDayServer(url, database_url, request.param)


def staff_sheet(path: Path) -> None:
    """The school's own staff list: a title row, a head teacher, a subject teacher, a counsellor."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山县第一小学教职工名单（2026年秋季）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "姓名", "手机号码", "职务", "任教班级", "班主任班级"])
    sheet.append([1, HEAD_NAME, HEAD_MOBILE, "班主任", "三年级(1)班", "三年级(1)班"])
    sheet.append([2, "张建国", "13912345602", "数学教师", "三年级1班、四年级2班", "无"])
    sheet.append([3, "赵敏", None, "心理辅导员", None, None])
    workbook.save(path)


def county_roster(path: Path) -> None:
    """The county's roster as schools get it: two title rows, classes written several ways."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山县义务教育阶段留守儿童花名册"])
    sheet.append(["学校：青山县第一小学", None, None, "填表日期：2026年9月"])
    sheet.append(["学籍号", "姓名", "性别", "出生年月", "班级", "留守情况", "代理监护人"])
    sheet.append(["G2026001", OWN_CLASS[0], "女", "2017.05", "三年级1班", "父母均外出", "刘奶奶"])
    sheet.append(["G2026002", OWN_CLASS[1], "男", "2016年11月", "3.1", "父亲外出", "陈爷爷"])
    sheet.append(
        ["G2026003", OWN_CLASS[2], "女", "2017/3/8", "三年级（1）班", "母亲外出", "周外婆"]
    )
    sheet.append(["G2026004", OTHER_CLASS[0], "男", "2016.02", "四年级2班", "父母均外出", "孙奶奶"])
    sheet.merge_cells("A1:G1")
    workbook.save(path)


def box(page: Page, label: str):
    """The input (text, password or text area) labelled `label` — not its help button."""
    return page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]')


def press(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    wait_idle(page, timeout=LONG)


def open_page(page: Page, title: str) -> None:
    """The sidebar menu's link to `title`."""
    page.locator("[data-testid=stSidebarNav] a", has_text=title).first.click()
    wait_idle(page)


def upload(page: Page, path: Path, ready: str) -> None:
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(ready).wait_for(timeout=LONG)
    wait_idle(page)


def wizard(page: Page, shot: str) -> None:
    """The four steps, with a weak password refused on the way."""
    page.get_by_role("heading", name="学校初始设置").wait_for()
    assert page.get_by_label("用户名", exact=True).count() == 0  # no login form
    box(page, "学校名称").fill("青山县第一小学")
    box(page, "学校代码").fill("2143000101")
    box(page, "所属县（区）").fill("青山县")
    page.wait_for_timeout(300)
    # Only the wizard: no menu of the pages/ folder's English file names, no English hints.
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_text("Press Enter").count() == 0
    screenshot(page, f"{shot}_1_school")
    press(page, "下一步")

    page.get_by_text("第 2 步，共 4 步：系统管理员").wait_for()
    box(page, "姓名").fill("王校长")
    box(page, "登录用户名").fill(ADMIN)
    for password in ("12345678", ADMIN_PASSWORD):  # the first is refused by the policy
        box(page, "登录密码").fill(password)
        box(page, "再次输入密码").fill(password)
        press(page, "下一步")
        if password != ADMIN_PASSWORD:
            page.get_by_text("第 2 步，共 4 步：系统管理员").wait_for()
            page.locator("[data-testid=stAlertContentError]").first.wait_for()
            screenshot(page, f"{shot}_2_admin_refused")

    page.get_by_text("第 3 步，共 4 步：学年校历").wait_for()
    holidays = box(page, "节假日（每行：名称,开始日期,结束日期）")
    holidays.first.wait_for()  # the step's inputs render a moment after its heading
    assert "年秋季学期" in box(page, "学期名称").first.input_value()
    assert "国庆节" in holidays.first.input_value()
    screenshot(page, f"{shot}_3_year")
    press(page, "下一步")

    page.get_by_text("第 4 步，共 4 步：联系规则").wait_for()
    page.get_by_text("青山县第一小学").first.wait_for(state="attached")  # the summary table
    screenshot(page, f"{shot}_4_rules")
    press(page, "完成设置")
    page.get_by_role("heading", name="设置完成").wait_for(timeout=LONG)
    page.get_by_text(f"青山县第一小学 · 登录用户名：{ADMIN}").wait_for()
    screenshot(page, f"{shot}_5_done")


def import_file(
    page: Page, link: str, path: Path, rows: int, planned: str, written: str, shot: str
) -> None:
    """Through the checklist's `link`: upload, the dry run's counts, 确认导入, the summary —
    and the button gone (a second press cannot import again)."""
    page.get_by_role("link", name=link).click()
    wait_idle(page)
    upload(page, path, planned)
    page.wait_for_timeout(1000)  # let the preview table paint
    screenshot(page, f"{shot}_preview")
    # The preview shows its rows whole: no sliver of an empty row under the last one.
    table = page.get_by_test_id("stDataFrame").bounding_box()
    assert table and table["height"] <= ROW_PX * (rows + 1) + 4, (table, rows)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(written).wait_for(timeout=LONG)
    wait_idle(page)
    assert page.get_by_role("button", name="确认导入").count() == 0
    screenshot(page, f"{shot}_done")


def slips(page: Page, shot: str) -> str:
    """The slips PDF the staff import offers (kept beside the screenshots to look at); the head
    teacher's one-time password."""
    with page.expect_download(timeout=LONG) as info:
        page.get_by_role("button", name="下载账号条（PDF）").click()
    pdf = info.value.path().read_bytes()
    screenshot(page, shot).with_suffix(".pdf").write_bytes(pdf)
    text, password = slip_password(pdf, HEAD_MOBILE)
    assert all(name in text for name in (HEAD_NAME, "张建国", "赵敏")), text
    return password


def check_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            assert session.scalar(select(func.count(School.id))) == 1
            assert session.scalar(select(func.count(Term.id))) == 2
            assert session.scalar(select(func.count(ContactRule.id))) == 7
            head = session.scalars(select(User).where(User.username == HEAD_MOBILE)).one()
            assert head.role == Role.HEAD_TEACHER and not head.must_change_password
            rooms = session.scalars(select(Classroom).where(Classroom.head_teacher_id == head.id))
            [room] = rooms.all()
            names = session.scalars(select(Child.name).where(Child.classroom_id == room.id))
            assert sorted(names) == sorted(OWN_CLASS)  # one class, however the roster wrote it
            assert session.scalar(select(func.count(Classroom.id))) == 2
            maths = session.scalars(select(User.id).where(User.display_name == "张建国")).one()
            taught = select(func.count()).where(TeachingAssignment.user_id == maths)
            assert session.scalar(taught) == 2
            assert session.scalar(select(func.count(AuditEntry.id))) > 5
    finally:
        engine.dispose()


def test_a_real_schools_first_day_from_make_run_demo_0_to_a_head_teacher(
    first_day_server, page, browser, tmp_path
):
    server, shot = first_day_server, f"first_day_walk_{first_day_server.backend}"
    sheet, roster = tmp_path / "教职工名单.xlsx", tmp_path / "留守儿童花名册.xlsx"
    staff_sheet(sheet)
    county_roster(roster)

    page.set_viewport_size({"width": 1400, "height": 1500})  # the app scrolls inside itself
    page.goto(server.url)
    wait_idle(page)
    wizard(page, shot)
    other = browser.new_context(locale="zh-CN").new_page()
    try:  # anyone else now gets the login form: the wizard never shows again
        other.goto(server.url)
        wait_idle(other)
        other.locator("[data-testid=stForm]").get_by_label("用户名", exact=True).wait_for()
        assert other.get_by_text("学校初始设置").count() == 0
    finally:
        other.context.close()
    press(page, "去登录")
    login(page, server.url, ADMIN, ADMIN_PASSWORD)
    open_page(page, "首页")
    page.get_by_text("第一周清单").wait_for()
    assert page.get_by_text("还没有教职工账号").count() == 1
    assert page.get_by_text("已启用 7 条").count() == 1
    screenshot(page, f"{shot}_6_home")

    staff = ("将新建 3 个账号、更新 0 个", "已导入：新建 3 个账号")
    import_file(page, "导入教职工名单", sheet, 3, *staff, f"{shot}_7_staff")
    password = slips(page, f"{shot}_7_staff_slips")
    open_page(page, "首页")
    page.get_by_text("第一周清单").wait_for()
    children = ("将新增 4 名、更新 0 名", "已导入：新增 4 名，更新 0 名")
    import_file(page, "导入学生名册", roster, 4, *children, f"{shot}_8_roster")
    open_page(page, "首页")
    page.get_by_text("第一周清单").wait_for()
    page.get_by_text(re.compile(r"教职工\s*·\s*3 人")).wait_for()
    page.get_by_text(re.compile(r"学生档案\s*·\s*4 人")).wait_for()
    page.wait_for_timeout(500)
    screenshot(page, f"{shot}_9_home_after")
    press(page, "退出登录")
    page.get_by_text("您已退出登录。").wait_for()

    submit_login(page, HEAD_MOBILE, password)
    page.get_by_text("请设置新密码").wait_for(timeout=LONG)
    screenshot(page, f"{shot}_10_change_password")
    change_forced_password(page, password, HEAD_PASSWORD)
    open_page(page, "儿童档案")
    # The grid is a canvas; its accessible table (hidden) holds the cells.
    cells = page.get_by_role("gridcell", name=OWN_CLASS[0], exact=True, include_hidden=True)
    cells.first.wait_for(state="attached", timeout=LONG)
    for name in OWN_CLASS:
        assert page.get_by_role("gridcell", name=name, exact=True, include_hidden=True).count()
    for name in OTHER_CLASS:
        assert not page.get_by_role("gridcell", name=name, exact=True, include_hidden=True).count()
    page.wait_for_timeout(1000)
    screenshot(page, f"{shot}_11_head_teacher_children")
    check_database(server.database_url)
