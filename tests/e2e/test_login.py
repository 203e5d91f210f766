"""Real-browser sign-in journeys: each role's menu, the cookie re-admits after a reload, logout
ends it for good, a forced password change, a wrong password and the lockout."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import make_engine, write_session
from db.enums import AuditAction
from db.models import AuditEntry
from services.accounts import signin, user_admin
from services.accounts.actor import SYSTEM_ACTOR
from tests.e2e.conftest import IDLE, login, press_until_answered, screenshot, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_login")]

FAILED = "用户名或密码错误，或账号已被锁定。"
COOKIE = "careledger_auth"


def nav_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page title in the sidebar menu (expanding "View N more" when the menu is long)."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
    links = page.locator("[data-testid=stSidebarNav] a")
    # Each link's text is "<icon name>\n\n<title>"; keep the title.
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts()]


def submit_login(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the form and press 登录 until the app answers (a refusal message, or the form gone).

    A press made while the cookie component's first rerun is under way can be dropped; a dropped
    press reaches no sign-in code (no audit row, no failure counted), so pressing again is safe."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    press_until_answered(
        page,
        "登录",
        lambda: (
            page.get_by_text(FAILED).count() > 0
            or page.get_by_label("密码", exact=True).count() == 0
        ),
    )


def with_session(database_url: str, work):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    try:
        with write_session(engine) as session:
            return work(session)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("admin", ["用户管理", "操作日志", "我的账号"], []),
        ("principal", ["操作日志", "我的账号"], ["用户管理"]),
        ("head_teacher", ["我的账号"], ["用户管理", "操作日志"]),
        ("teacher", ["我的账号"], ["用户管理", "操作日志"]),
        ("counsellor", ["我的账号"], ["用户管理", "操作日志"]),
        ("bureau", ["我的账号"], ["用户管理", "操作日志"]),
    ],
)
def test_each_role_signs_in_once_and_gets_its_menu(live_server, page, username, present, absent):
    login(page, live_server.url, username)
    titles = nav_titles(page)
    assert set(present) <= set(titles), titles
    assert not set(absent) & set(titles), titles
    screenshot(page, f"login-menu-{username}")


def test_the_cookie_signs_in_again_after_a_reload_and_logout_ends_it(live_server, page):
    login(page, live_server.url, "principal")
    # The cookie is written by a component iframe a moment after the first page run.
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    assert any(c["name"] == COOKIE for c in page.context.cookies())

    page.reload()
    page.wait_for_selector(IDLE)
    page.wait_for_selector("[data-testid=stSidebarNav]")
    assert page.get_by_label("密码").count() == 0
    assert "操作日志" in nav_titles(page)

    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.get_by_label("密码").wait_for()
    page.get_by_text("您已退出登录。").wait_for()
    page.wait_for_timeout(1000)
    page.reload()
    page.wait_for_selector(IDLE)
    page.get_by_label("密码").wait_for()  # the cookie no longer re-admits
    screenshot(page, "login-after-logout-reload")


def test_wrong_password_then_forced_password_change(live_server, page):
    def reset(session: Session) -> str:
        user = signin.find_user(session, "head_teacher")
        return user_admin.reset_password(session, SYSTEM_ACTOR, user.id).one_time_password

    one_time = with_session(live_server.database_url, reset)
    page.goto(live_server.url)
    page.wait_for_selector(IDLE)
    submit_login(page, "head_teacher", "demo1234")  # the old password no longer works
    page.get_by_text(FAILED).wait_for()

    submit_login(page, "head_teacher", one_time)
    page.get_by_text("请设置新密码").wait_for()
    screenshot(page, "login-forced-change")
    page.get_by_label("当前密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill("Mine-2026x")
    page.get_by_label("再次输入新密码").fill("Mine-2026x")
    page.get_by_role("button", name="修改密码").click()
    wait_idle(page)
    page.wait_for_selector("[data-testid=stSidebarNav]")
    assert "我的账号" in nav_titles(page)


def test_five_wrong_passwords_lock_the_account(live_server, page):
    page.goto(live_server.url)
    page.wait_for_selector(IDLE)
    for _ in range(5):
        submit_login(page, "counsellor", "guess-1234")
        page.get_by_text(FAILED).wait_for()
    submit_login(page, "counsellor", "demo1234")
    page.get_by_text(FAILED).wait_for()
    page.wait_for_timeout(1000)
    assert page.get_by_label("密码").count() == 1
    assert page.get_by_test_id("stSidebarNav").count() == 0
    locked = with_session(
        live_server.database_url,
        lambda session: signin.find_user(session, "counsellor").locked_until is not None,
    )
    assert locked
    screenshot(page, "login-locked")


def test_admin_exports_the_audit_log_and_the_export_is_logged(live_server, page):
    login(page, live_server.url, "admin")
    nav_titles(page)  # expands the menu if it is long
    page.locator("[data-testid=stSidebarNav] a", has_text="操作日志").click()
    wait_idle(page)
    page.get_by_role("heading", name="操作日志").wait_for()
    page.get_by_test_id("stDataFrame").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("编号,时间,操作人,角色,操作")
    assert ",admin," in content  # at least this sign-in
    screenshot(page, "audit-log")

    def exports(session: Session) -> list[str]:
        rows = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == AuditAction.EXPORT)
        )
        return [d for d in rows if d.startswith("csv")]

    assert len(with_session(live_server.database_url, exports)) == 1
