"""The setup wizard through the whole app (AppTest of app.py): an empty database opens on the
wizard instead of the login form; each step refuses bad input and keeps what was typed; 完成设置
writes the school once; then the next steps, the login form, and the administrator signs in with
the password chosen in the wizard. Once a school exists the wizard never shows again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from components import setup_wizard
from db.engine import read_session, write_session
from db.models import AuditEntry, ContactRule, School, Term
from tests.factories import make_school
from tests.pages.apptest import ROOT, texts

GOOD_KEY = "Zq8-Kp2xN4vW7yR1tB6mC3hJ9sD5fG0aLe-test"
PASSWORD = "Qingshan-2026"


@pytest.fixture
def empty_app(app_env, monkeypatch):
    monkeypatch.setenv("CARELEDGER_COOKIE_KEY", GOOD_KEY)
    return app_env


def run(at: AppTest) -> AppTest:
    """Start each run from the main script, as a browser request would (see test_auth.py)."""
    at._finished_page_script_hash = ""
    return at.run()


def open_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return run(at)


def field(at: AppTest, label: str):
    return next(w for w in at.text_input if w.label == label)


def is_login_form(at: AppTest) -> bool:
    return [w.label for w in at.text_input] == ["用户名", "密码"]


def fill_school(at: AppTest, code: str = "2143000101") -> AppTest:
    field(at, "学校名称").input("青山县第一小学")
    field(at, "学校代码").input(code)
    field(at, "所属县（区）").input("青山县")
    return press(at, "下一步")


def fill_admin(at: AppTest, password: str = PASSWORD) -> AppTest:
    field(at, "姓名").input("王老师")
    field(at, "登录用户名").input("wang")
    field(at, "登录密码").input(password)
    field(at, "再次输入密码").input(password)
    return press(at, "下一步")


def step_of(at: AppTest) -> int:
    key = setup_wizard.STEP_KEY
    return at.session_state[key] if key in at.session_state else 0  # noqa: SIM401 (no .get)


def test_an_empty_database_opens_on_the_wizard_not_the_login_form(empty_app):
    at = open_app()
    assert not at.exception
    assert at.title[0].value == "学校初始设置"
    assert not is_login_form(at)
    assert [w.label for w in at.text_input] == ["学校名称", "学校代码", "所属县（区）"]


def test_the_wizard_walks_to_a_school_and_the_admin_signs_in(empty_app):
    at = fill_school(open_app())
    assert not at.exception
    assert step_of(at) == 1
    at = fill_admin(at)
    assert step_of(at) == 2
    # the school year is prefilled: autumn and spring side by side
    names = [w.value for w in at.text_input if w.label == "学期名称"]
    assert len(names) == 2 and names[0].endswith("年秋季学期") and names[1].endswith("年春季学期")
    holidays = [w.value for w in at.text_area]
    assert "国庆节" in holidays[0] and "元旦" in holidays[0] and "劳动节" in holidays[1]
    at = press(at, "下一步")
    assert step_of(at) == 3
    rules = at.table[0].value
    assert "期初家访" in list(rules.iloc[:, 0])
    with read_session(empty_app) as session:
        assert session.scalar(select(func.count(School.id))) == 0  # nothing written yet
    at = press(at, "完成设置")
    assert not at.exception
    assert at.title[0].value == "设置完成"
    assert "导入教职工名单" in texts(at) and "导入学生名册" in texts(at)
    with read_session(empty_app) as session:
        assert session.scalar(select(func.count(School.id))) == 1
        assert session.scalar(select(func.count(Term.id))) == 2
        assert session.scalar(select(func.count(ContactRule.id))) == 7
        assert session.scalar(select(func.count(AuditEntry.id))) == 1
    at = press(at, "去登录")
    assert is_login_form(at)
    at.text_input[0].input("wang")
    at.text_input[1].input(PASSWORD)
    at = press(at, "登录")
    assert not at.exception
    assert not is_login_form(at)
    assert "当前用户：王老师（系统管理员）" in [c.value for c in at.sidebar.caption]


def test_each_step_refuses_bad_input_and_keeps_what_was_typed(empty_app):
    at = open_app()
    field(at, "学校名称").input("青山县第一小学")
    at = press(at, "下一步")
    assert step_of(at) == 0
    assert any("学校代码" in e.value for e in at.error)
    assert field(at, "学校名称").value == "青山县第一小学"
    at = fill_school(at)
    at = fill_admin(at, password="12345678")
    assert step_of(at) == 1
    errors = " ".join(e.value for e in at.error)
    assert "密码" in errors
    at = press(at, "上一步")
    assert step_of(at) == 0
    assert field(at, "学校代码").value == "2143000101"


def test_a_bad_school_year_is_refused(empty_app):
    at = fill_admin(fill_school(open_app()))
    at.date_input[1].set_value(at.date_input[0].value.replace(year=at.date_input[0].value.year - 1))
    at = press(at, "下一步")
    assert step_of(at) == 2
    assert at.error


def test_once_a_school_exists_the_wizard_never_shows(empty_app):
    with write_session(empty_app) as session:
        make_school(session)
    at = open_app()
    assert is_login_form(at)


def test_someone_else_finishing_first_gets_a_clear_message(empty_app):
    at = fill_admin(fill_school(open_app()))
    at = press(at, "下一步")
    with write_session(empty_app) as session:
        make_school(session, name="别人的学校")
    at = press(at, "完成设置")
    assert not at.exception
    assert any("已经设置过学校" in i.value for i in at.info)
    assert is_login_form(at)
    with read_session(empty_app) as session:
        assert session.scalar(select(func.count(School.id))) == 1


def test_the_wizard_in_english(empty_app):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["language"] = "en"
    at = at.run()
    assert at.title[0].value == "Set up the school"
