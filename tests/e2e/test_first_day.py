"""A real school's first day in a real browser (#14): a fresh, empty database opens on the setup
wizard, not a login form; the wizard's four steps make the school; the administrator signs in
with the password chosen there; the home page shows the first-week checklist, whose link opens
the roster import. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.engine import make_engine, normalise_url, read_session
from db.models import AuditEntry, ContactRule, School, Term
from tests.conftest import BACKENDS, TEST_DATABASE_URL
from tests.e2e.conftest import (
    login,
    screenshot,
    start_streamlit,
    stop_process,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_first_day")]

PASSWORD = "Qingshan-2026"


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new database (a file that does not exist yet, or an empty PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'first-day.db'}"
        return
    admin = make_engine(normalise_url(TEST_DATABASE_URL))
    name = f"careledger_first_day_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_server(empty_database: str, tmp_path: Path) -> Iterator[str]:
    extra = {"CARELEDGER_BACKUP_DIR": str(tmp_path / "backups")}
    proc, base_url = start_streamlit(empty_database, tmp_path / "streamlit.log", extra_env=extra)
    try:
        yield base_url
    finally:
        stop_process(proc)


def box(page, label: str):  # type: ignore[no-untyped-def]
    """The input (text, password or text area) labelled `label` — not its help button."""
    return page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]')


def next_step(page, button: str = "下一步") -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=button, exact=True).click()
    wait_idle(page)


def test_first_day_from_an_empty_database_to_the_checklist(page, fresh_server, empty_database):
    page.goto(fresh_server)
    wait_idle(page)
    page.get_by_role("heading", name="学校初始设置").wait_for()
    assert page.get_by_label("用户名", exact=True).count() == 0  # no login form
    screenshot(page, "first_day_1_school")

    box(page, "学校名称").fill("青山县第一小学")
    box(page, "学校代码").fill("2143000101")
    box(page, "所属县（区）").fill("青山县")
    next_step(page)

    page.get_by_text("第 2 步，共 4 步：系统管理员").wait_for()
    box(page, "姓名").fill("王老师")
    box(page, "登录用户名").fill("wang")
    box(page, "登录密码").fill("12345678")
    box(page, "再次输入密码").fill("12345678")
    next_step(page)
    page.get_by_text("第 2 步，共 4 步：系统管理员").wait_for()  # refused: a weak password
    assert page.locator("[data-testid=stAlertContentError]").count() > 0
    box(page, "登录密码").fill(PASSWORD)
    box(page, "再次输入密码").fill(PASSWORD)
    next_step(page)

    page.get_by_text("第 3 步，共 4 步：学年校历").wait_for()
    assert "年秋季学期" in box(page, "学期名称").first.input_value()
    holidays = box(page, "节假日（每行：名称,开始日期,结束日期）")
    holidays.first.wait_for()  # the step's inputs render a moment after its heading
    assert "国庆节" in holidays.first.input_value()
    screenshot(page, "first_day_3_year")
    next_step(page)

    page.get_by_text("第 4 步，共 4 步：联系规则").wait_for()
    screenshot(page, "first_day_4_rules")
    next_step(page, "完成设置")

    page.get_by_role("heading", name="设置完成").wait_for()
    assert page.get_by_text("导入教职工名单").count() > 0
    screenshot(page, "first_day_5_done")
    engine = make_engine(empty_database)
    try:
        with read_session(engine) as session:
            assert session.scalar(select(func.count(School.id))) == 1
            assert session.scalar(select(func.count(Term.id))) == 2
            assert session.scalar(select(func.count(ContactRule.id))) == 7
            assert session.scalar(select(func.count(AuditEntry.id))) == 1
    finally:
        engine.dispose()
    next_step(page, "去登录")
    page.get_by_label("用户名", exact=True).wait_for()

    login(page, fresh_server, "wang", PASSWORD)
    page.locator("[data-testid=stSidebarNav] a", has_text="首页").click()
    wait_idle(page)
    page.get_by_text("第一周清单").wait_for()
    assert page.get_by_text("还没有导入学生名册").count() == 1
    assert page.get_by_text("已启用 7 条").count() == 1
    assert page.get_by_text("还没有任何备份").count() == 1  # the admin's backup status
    screenshot(page, "first_day_6_home")

    page.get_by_role("link", name="导入学生名册").click()
    wait_idle(page)
    page.get_by_role("heading", name="批量导入").wait_for()

    # A second visitor now gets the login form: the wizard never shows again.
    other = page.context.browser.new_context(locale="zh-CN").new_page()
    try:
        other.goto(fresh_server)
        wait_idle(other)
        other.get_by_label("用户名", exact=True).wait_for()
        assert other.get_by_text("学校初始设置").count() == 0
    finally:
        other.context.close()
