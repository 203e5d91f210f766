"""Real-browser sign-in journeys: each role's menu, the cookie re-admits after a reload, logout
ends it for good, a forced password change, a wrong password and the lockout."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import make_engine, write_session
from db.enums import AuditAction
from db.models import AuditEntry, LoginThrottle
from services.accounts import signin, user_admin
from services.actor import SYSTEM_ACTOR
from tests.e2e.conftest import (
    IDLE,
    LOGIN_FAILED,
    change_forced_password,
    login,
    screenshot,
    serve,
    submit_login,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_login")]

COOKIE = "careledger_auth"


def nav_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page title in the sidebar menu (expanding "View N more" when the menu is long)."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
    links = page.locator("[data-testid=stSidebarNav] a")
    # Each link's text is "<icon name>\n\n<title>"; keep the title.
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts()]


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
    page.get_by_text(LOGIN_FAILED).wait_for()

    submit_login(page, "head_teacher", one_time)
    page.get_by_text("请设置新密码").wait_for()
    screenshot(page, "login-forced-change")
    change_forced_password(page, one_time, "Mine-2026x")
    assert "我的账号" in nav_titles(page)


def test_five_wrong_passwords_lock_the_account(live_server, page):
    page.goto(live_server.url)
    page.wait_for_selector(IDLE)
    for _ in range(5):
        submit_login(page, "counsellor", "guess-1234")
        page.get_by_text(LOGIN_FAILED).wait_for()
    submit_login(page, "counsellor", "demo1234")
    page.get_by_text(LOGIN_FAILED).wait_for()
    page.wait_for_timeout(1000)
    assert page.get_by_label("密码").count() == 1
    assert page.get_by_test_id("stSidebarNav").count() == 0

    def locked_address(session: Session) -> tuple[str, bool] | None:
        user = signin.find_user(session, "counsellor")
        throttle = session.scalars(select(LoginThrottle).where(LoginThrottle.user_id == user.id))
        rows = [(t.client_address, t.locked_until is not None) for t in throttle]
        return rows[0] if len(rows) == 1 and user.locked_until is None else None

    # That address is locked for the account; the account itself is not (test_lockout.py).
    assert with_session(live_server.database_url, locked_address) == ("127.0.0.1", True)
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


# --- before sign-in (#13 item 4) -------------------------------------------------------------


def login_form_only(page) -> None:  # type: ignore[no-untyped-def]
    """The page shows the login form and nothing else: no menu, no other page, no error."""
    page.wait_for_selector(IDLE)
    form = page.locator("[data-testid=stForm]")
    form.get_by_label("用户名", exact=True).wait_for()
    form.get_by_label("密码", exact=True).wait_for()
    page.wait_for_timeout(500)  # a late navigation message would redraw the sidebar
    assert page.get_by_test_id("stSidebarNav").count() == 0, page.url
    assert page.get_by_test_id("stSidebarNavItems").count() == 0, page.url
    assert page.get_by_test_id("stException").count() == 0, page.url
    assert page.get_by_role("dialog").count() == 0, page.url  # no "Page not found"
    # A rerun (the cookie component answering) shows the old and the new form for a moment.
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stForm]').length == 1")


@pytest.fixture
def fresh_server(live_server, tmp_path):  # type: ignore[no-untyped-def]
    """A second app process on the same database that no browser has opened yet: Streamlit
    decides per process whether to fall back to the pages/ folder, at its first page run."""
    with serve(live_server.database_url, tmp_path) as url:
        yield url


def test_before_sign_in_every_url_shows_only_the_login_form(fresh_server, page):
    # The very first request of the process asks for a page deep inside the app.
    for path in ["/counselling", "/users", "/audit_log", "/", "/child_profile"]:
        page.goto(fresh_server + path)
        login_form_only(page)
    screenshot(page, "login-direct-url")


def test_a_direct_url_opens_that_page_after_sign_in(live_server, page):
    page.goto(live_server.url + "/audit_log")
    login_form_only(page)
    submit_login(page, "principal", "demo1234")
    page.get_by_role("heading", name="操作日志").wait_for()
    assert "操作日志" in nav_titles(page)


# --- sessions that really end (#13 item 5) and lockout per address (#13 item 7) ---------------


def cookie_of(page) -> dict:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    [cookie] = [c for c in page.context.cookies() if c["name"] == COOKIE]
    return cookie


def test_a_cookie_copied_before_logout_does_not_sign_another_browser_in(live_server, page, browser):
    login(page, live_server.url, "principal")
    copied = cookie_of(page)
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.get_by_text("您已退出登录。").wait_for()
    submit_login(page, "principal", "demo1234")  # the owner signs in again
    page.wait_for_selector("[data-testid=stSidebarNav]")

    other = browser.new_context(locale="zh-CN")
    try:
        other.add_cookies([copied])
        thief = other.new_page()
        thief.goto(live_server.url + "/audit_log")
        login_form_only(thief)
        screenshot(thief, "login-copied-cookie")
    finally:
        other.close()


def _unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "value",
    [
        _unsigned({"username": "admin", "exp_date": 4_000_000_000}),
        _unsigned({"username": "admin", "sid": "x", "exp": 4_000_000_000}),
        "not-a-token",
        "eyJhbGciOiJIUzI1NiJ9.e30",
    ],
    ids=["alg-none", "alg-none-sid", "garbage", "truncated"],
)
def test_a_forged_or_malformed_cookie_shows_the_login_form(live_server, page, value):
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": COOKIE, "value": value, "domain": host, "path": "/"}])
    page.goto(live_server.url)
    login_form_only(page)
    assert page.get_by_text("This app has encountered an error").count() == 0


@pytest.fixture(scope="module")
def proxied_server(live_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app as deploy/ runs it: Secure cookies on, 127.0.0.1 a trusted proxy (the browser
    plays nginx and sends X-Forwarded-For itself)."""
    extra = {"CARELEDGER_COOKIE_SECURE": "1", "CARELEDGER_TRUSTED_PROXIES": "127.0.0.1,::1"}
    with serve(live_server.database_url, tmp_path_factory.mktemp("proxied"), extra) as url:
        yield url


def test_the_cookie_is_secure_when_configured(proxied_server, page):
    login(page, proxied_server, "teacher")
    cookie = cookie_of(page)
    assert cookie["secure"] is True
    assert cookie["sameSite"] == "Strict"


def test_five_failures_from_one_address_leave_the_owner_signed_in(proxied_server, browser):
    def from_address(address: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            locale="zh-CN", extra_http_headers={"X-Forwarded-For": address}
        )
        return context, context.new_page()

    owner_context, owner = from_address("198.51.100.7")
    attacker_context, attacker = from_address("203.0.113.66")
    try:
        login(owner, proxied_server, "admin")
        attacker.goto(proxied_server)
        attacker.wait_for_selector(IDLE)
        for _ in range(5):
            submit_login(attacker, "admin", "guess-1234")
            attacker.get_by_text(LOGIN_FAILED).wait_for()
        submit_login(attacker, "admin", "demo1234")  # the right password: that address is locked
        attacker.get_by_text(LOGIN_FAILED).wait_for()
        assert attacker.get_by_test_id("stSidebarNav").count() == 0

        owner.reload()  # the owner's session lives on ...
        owner.wait_for_selector(IDLE)
        owner.wait_for_selector("[data-testid=stSidebarNav]")
        _, fresh = from_address("198.51.100.7")
        login(fresh, proxied_server, "admin")  # ... and the owner signs in again from home
        fresh.context.close()
    finally:
        owner_context.close()
        attacker_context.close()
