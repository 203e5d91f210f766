"""The login gate through the whole app (AppTest of app.py): one sign-in builds the navigation,
same message for every refusal, lockout and unlock with an injected clock, forced password
change, logout, idle timeout, disabled users, each role's menu, and the cookie-key guard."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components import auth, navigation
from db.engine import read_session, write_session
from db.enums import AuditAction, Role
from db.models import LoginThrottle, UserSession
from services.accounts import session_admin, signin
from tests.factories import TEST_PASSWORD, actor_of, make_classroom, make_school, make_user
from tests.pages.apptest import ROOT, run_page, texts
from tests.services.accounts_helpers import T0, audit_rows

GOOD_KEY = "Zq8-Kp2xN4vW7yR1tB6mC3hJ9sD5fG0aLe-test"
FAILED = "用户名或密码错误，或账号已被锁定。"
UNSAFE_KEY = "登录密钥不安全，系统拒绝启动。请管理员按下面的说明设置后重启。"


class Clock:
    """The time services.accounts.signin sees; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(signin, "now", fake)
    return fake


@pytest.fixture
def school(app_env, session, monkeypatch, clock):
    monkeypatch.setenv("CARELEDGER_COOKIE_KEY", GOOD_KEY)
    school = make_school(session)
    users = {role: make_user(session, school, role, username=role.value) for role in Role}
    users[Role.BUREAU].school_id = None
    make_classroom(session, school, head=users[Role.HEAD_TEACHER])
    make_user(session, school, Role.TEACHER, username="newbie", must_change_password=True)
    session.commit()
    return users


def run(at: AppTest) -> AppTest:
    """AppTest (streamlit 1.67) renders nothing on a rerun that starts from a page chosen by
    st.navigation; start each run from the main script, as a fresh browser request would."""
    at._finished_page_script_hash = ""
    return at.run()


def open_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def sign_in(at: AppTest, username: str, password: str = TEST_PASSWORD) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return submit(at, "登录")


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return run(at)


def is_login_form(at: AppTest) -> bool:
    return [w.label for w in at.text_input] == ["用户名", "密码"]


def test_the_login_form_has_the_labels_the_browser_tests_use(school):
    at = open_app()
    assert not at.exception
    assert is_login_form(at)
    assert [b.label for b in at.button] == ["登录"]
    assert at.session_state[auth.AUTHENTICATOR_KEY] is not None


def test_one_sign_in_opens_the_app_with_the_navigation(school):
    at = sign_in(open_app(), "head_teacher")
    assert not at.exception
    assert not is_login_form(at)  # no second sign-in (the st.navigation trap)
    assert "当前用户：测试老师（班主任）" in [c.value for c in at.sidebar.caption]
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == "head_teacher"


def test_the_authenticator_is_built_once_per_session(school):
    at = open_app()
    first = at.session_state[auth.AUTHENTICATOR_KEY]
    at = sign_in(at, "teacher")
    run(at)
    assert not at.exception  # no DuplicateWidgetID
    assert at.session_state[auth.AUTHENTICATOR_KEY] is first


def test_wrong_password_and_unknown_user_get_the_same_message(school, app_env):
    wrong = sign_in(open_app(), "teacher", "not-the-one1")
    unknown = sign_in(open_app(), "no_such_user", "not-the-one1")
    assert [e.value for e in wrong.error] == [FAILED]
    assert [e.value for e in unknown.error] == [FAILED]
    assert is_login_form(wrong) and is_login_form(unknown)
    with read_session(app_env) as session:
        details = [e.detail for e in audit_rows(session, AuditAction.LOGIN_FAILED)]
    assert details == ["wrong_password", "unknown_user"]


def test_five_failures_lock_the_account_and_it_unlocks_fifteen_minutes_later(school, clock):
    at = open_app()
    for _ in range(5):
        at = sign_in(at, "teacher", "guess-again1")
    at = sign_in(at, "teacher")  # the right password, but locked
    assert [e.value for e in at.error] == [FAILED]
    assert is_login_form(at)

    clock.now = T0 + signin.LOCKOUT - timedelta(seconds=1)
    assert [e.value for e in sign_in(at, "teacher").error] == [FAILED]

    clock.now = T0 + signin.LOCKOUT
    at = sign_in(at, "teacher")
    assert not at.error and not is_login_form(at)


def test_a_new_account_must_change_its_password_first(school, app_env):
    at = sign_in(open_app(), "newbie")
    assert at.title[0].value == "请设置新密码"
    assert len(at.sidebar.caption) == 0  # the gate stopped before the menu was built
    at.text_input[0].input(TEST_PASSWORD)
    at.text_input[1].input("My-choice1")
    at.text_input[2].input("My-choice1")
    at = submit(at, "修改密码")
    assert not at.exception
    assert at.title[0].value != "请设置新密码"
    assert not [w for w in at.text_input if w.label == "新密码"]
    with read_session(app_env) as session:
        assert signin.find_user(session, "newbie").must_change_password is False


def test_the_forced_change_screen_offers_nothing_else(school):
    at = sign_in(open_app(), "newbie")
    at = run(at)
    assert at.title[0].value == "请设置新密码"
    assert [b.label for b in at.button if b.label != "修改密码"] == ["退出登录"]


def test_logout_returns_to_the_login_form_and_is_audited(school, app_env):
    at = sign_in(open_app(), "teacher")
    at = submit(at, "退出登录")
    assert is_login_form(at)
    assert "您已退出登录。" in texts(at)
    assert not at.session_state["authentication_status"]
    with read_session(app_env) as session:
        [logout] = audit_rows(session, AuditAction.LOGOUT)
        assert logout.username == "teacher"
        [record] = session.scalars(select(UserSession)).all()
        assert record.revoked_reason == "logout"


def test_thirty_idle_minutes_end_the_session(school, clock):
    at = sign_in(open_app(), "teacher")
    clock.now = T0 + timedelta(minutes=29)
    at = run(at)
    assert not is_login_form(at)
    clock.now = T0 + timedelta(minutes=29 + 31)
    at = run(at)
    assert is_login_form(at)
    assert "您已超过 30 分钟未操作，请重新登录。" in texts(at)


def test_activity_keeps_the_session_alive(school, clock):
    at = sign_in(open_app(), "teacher")
    for minutes in (20, 40, 60, 80):
        clock.now = T0 + timedelta(minutes=minutes)
        at = run(at)
        assert not is_login_form(at), minutes


def test_a_disabled_user_is_signed_out_at_the_next_action(school, app_env):
    at = sign_in(open_app(), "teacher")
    with write_session(app_env) as session:
        signin.find_user(session, "teacher").active = False
    at = run(at)
    assert is_login_form(at)
    assert "您的账号已被停用，请联系管理员。" in texts(at)


def test_a_role_change_applies_at_the_next_action(school, app_env):
    at = sign_in(open_app(), "counsellor")
    with write_session(app_env) as session:
        signin.find_user(session, "counsellor").role = Role.PRINCIPAL
    at = run(at)
    assert "当前用户：测试老师（校领导）" in [c.value for c in at.sidebar.caption]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_offered_exactly_its_pages(school, role):
    at = sign_in(open_app(), role.value)
    assert not at.exception
    for spec in navigation.PAGES:
        if role in spec.roles:
            at.switch_page(spec.path)  # resolves only pages st.navigation registered
        else:
            with pytest.raises(ValueError, match="navigation page"):
                at.switch_page(spec.path)


def test_an_unsafe_cookie_key_stops_the_app(school, monkeypatch):
    monkeypatch.setenv("CARELEDGER_COOKIE_KEY", "some_key")
    at = open_app()
    assert [e.value for e in at.error] == [
        "登录密钥不安全，系统拒绝启动。请管理员按下面的说明设置后重启。"
    ]
    assert len(at.text_input) == 0


def _two_authenticators_script() -> None:
    import streamlit as st

    from components import auth

    st.write(auth.authenticator() is auth.authenticator())


def _raw_double_construction_script() -> None:
    import streamlit as st
    import streamlit_authenticator as stauth

    try:
        for _ in range(2):
            stauth.Authenticate({"usernames": {}}, "c", "k" * 40, 1.0, auto_hash=False)
    except Exception as err:
        st.text(type(err).__name__)


def test_asking_twice_in_one_run_reuses_the_one_authenticator(school):
    at = AppTest.from_function(_two_authenticators_script, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[-1].value == "`True`"


def test_the_trap_it_avoids_constructing_twice_raises_duplicate_widget_id():
    at = AppTest.from_function(_raw_double_construction_script, default_timeout=60).run()
    assert [t.value for t in at.text] == ["StreamlitDuplicateElementKey"]


# --- server-side sessions and the cookie (#13 item 5) -----------------------------------------


@pytest.fixture
def jar(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The browser's cookie jar as the gate sees it: "written" is what the app last wrote,
    "sent" what a newly opened browser session sends (AppTest has no cookie component)."""
    cookies: dict[str, str] = {}
    monkeypatch.setattr(auth, "_write_cookie", lambda _auth, token: cookies.update(written=token))
    monkeypatch.setattr(auth, "cookie_token", lambda: cookies.get("sent"))
    return cookies


def test_the_cookie_signs_a_new_browser_session_in(school, jar):
    sign_in(open_app(), "principal")
    jar["sent"] = jar["written"]
    at = open_app()
    assert not at.exception and not is_login_form(at)
    assert "当前用户：测试老师（校领导）" in [c.value for c in at.sidebar.caption]


def test_a_cookie_copied_before_logout_admits_nobody_after_the_user_signs_in_again(school, jar):
    at = sign_in(open_app(), "principal")
    copied = jar["written"]
    at = submit(at, "退出登录")
    at = sign_in(at, "principal")  # the owner signs in again: a new session, a new cookie
    assert not is_login_form(at) and jar["written"] != copied

    jar["sent"] = copied  # another browser, with the cookie copied before the logout
    thief = open_app()
    assert not thief.exception and is_login_form(thief)
    assert "登录已过期，请重新登录。" in texts(thief)
    jar["sent"] = jar["written"]
    assert not is_login_form(open_app())  # the owner's own new cookie still works


def _token(claims: dict, key: str = GOOD_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


FOREVER = 4_000_000_000


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        _unsigned({"username": "admin", "exp_date": FOREVER}),
        _unsigned({"username": "admin", "sid": "x", "exp": FOREVER}),
        _token({"username": "admin", "exp_date": FOREVER}),  # the library's own format
        _token({"username": "admin", "sid": "x", "exp": FOREVER}, "another-key-" * 4),
        _token({"username": "admin", "sid": "x", "exp": FOREVER}),  # no such session
    ],
    ids=["garbage", "dots", "none-lib", "none-sid", "no-session", "wrong-key", "unknown-sid"],
)
def test_a_forged_or_malformed_cookie_shows_the_login_form(school, jar, token):
    jar["sent"] = token
    at = open_app()
    assert not at.exception
    assert is_login_form(at)


def test_sessions_ended_by_the_administrator_end_at_the_next_action(school, app_env):
    at = sign_in(open_app(), "teacher")
    with write_session(app_env) as session:
        admin = actor_of(session, signin.find_user(session, "admin"))
        session_admin.end_user_sessions(session, admin, school[Role.TEACHER].id)
    at = run(at)
    assert is_login_form(at)
    assert "您的这次登录已结束（已退出、密码已修改或管理员结束了登录），请重新登录。" in texts(at)


def test_logout_ends_this_browser_session_only(school):
    phone = sign_in(open_app(), "teacher")
    pc = sign_in(open_app(), "teacher")
    submit(pc, "退出登录")
    assert not is_login_form(run(phone))


def test_changing_the_password_keeps_this_session_and_ends_the_others(school, app_env):
    phone = sign_in(open_app(), "teacher")
    with write_session(app_env) as session:
        here = signin.authenticate(session, "teacher", TEST_PASSWORD)
    at = run_page("pages/account.py", here.actor, **{auth.SESSION_ID_KEY: here.session_id})
    at.text_input[0].input(TEST_PASSWORD)
    at.text_input[1].input("Better-2026")
    at.text_input[2].input("Better-2026")
    next(b for b in at.button if b.label == "修改密码").click().run()
    assert "密码已修改。" in texts(at)
    with read_session(app_env) as session:
        assert signin.check_session(session, here.session_id).sign_in is not None
    assert is_login_form(run(phone))


@pytest.mark.parametrize(
    ("setting", "url", "secure"),
    [
        ("1", "http://127.0.0.1:8501/", True),
        ("true", None, True),
        ("0", "https://careledger.example/", False),
        ("", "https://careledger.example/users", True),
        ("", "http://127.0.0.1:8501/", False),
        ("", None, False),
    ],
)
def test_the_cookie_is_secure_over_https_or_when_configured(setting, url, secure):
    assert auth.cookie_secure({auth.COOKIE_SECURE_ENV: setting}, url) is secure


# --- lockout per address (#13 item 7) ---------------------------------------------------------


def test_five_failures_from_one_address_do_not_lock_the_owner_out(school, monkeypatch):
    owner = sign_in(open_app(), "admin")
    monkeypatch.setattr(auth, "client_address", lambda: "203.0.113.66")
    at = open_app()
    for _ in range(5):
        at = sign_in(at, "admin", "guess-again1")
    assert [e.value for e in sign_in(at, "admin").error] == [FAILED]  # that address is locked

    assert not is_login_form(run(owner))  # the owner's session lives on
    monkeypatch.setattr(auth, "client_address", lambda: "198.51.100.7")
    assert not is_login_form(sign_in(open_app(), "admin"))  # and signs in from elsewhere


def test_the_gate_counts_failures_against_the_client_address(school, app_env, monkeypatch):
    monkeypatch.setattr(auth, "client_address", lambda: "203.0.113.66")
    sign_in(open_app(), "teacher", "guess-again1")
    with read_session(app_env) as session:
        [throttle] = session.scalars(select(LoginThrottle)).all()
        assert (throttle.client_address, throttle.failures) == ("203.0.113.66", 1)
        [record] = audit_rows(session, AuditAction.LOGIN_FAILED)
        assert record.detail == "wrong_password"


def test_behind_a_trusted_proxy_the_forwarded_address_counts(monkeypatch):
    """client_address() as the gate calls it, with Streamlit's view of the request."""
    context = SimpleNamespace(ip_address=None, headers={"X-Forwarded-For": "203.0.113.9"})
    monkeypatch.setattr(auth.st, "context", context)
    assert auth.client_address() == "127.0.0.1"  # nobody trusted by default
    monkeypatch.setenv("CARELEDGER_TRUSTED_PROXIES", "127.0.0.1")
    assert auth.client_address() == "203.0.113.9"
    context.ip_address = "198.51.100.7"  # not a trusted proxy: its header means nothing
    assert auth.client_address() == "198.51.100.7"
