"""The login gate through the whole app (AppTest of app.py): one sign-in builds the navigation,
same message for every refusal, lockout and unlock with an injected clock, forced password
change, logout, idle timeout, disabled users, each role's menu, and the cookie-key guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from components import auth, navigation
from db.engine import read_session, write_session
from db.enums import AuditAction, Role
from services.accounts import signin
from tests.factories import TEST_PASSWORD, make_classroom, make_school, make_user
from tests.pages.apptest import ROOT, texts
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
        assert signin.find_user(session, "teacher").last_seen_at is None


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
