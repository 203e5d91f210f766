"""AppTest of 我的账号, 用户管理 and 操作日志, for every role that can open them."""

from __future__ import annotations

import pytest

from db.engine import read_session, write_session
from db.enums import AuditAction, Role
from services.accounts import signin
from services.accounts.passwords import verify_password
from tests.factories import TEST_PASSWORD, actor_of, make_classroom, make_school, make_user
from tests.pages.apptest import run_page, texts
from tests.services.accounts_helpers import audit_rows


@pytest.fixture
def school_case(app_env, session):
    school = make_school(session)
    make_classroom(session, school, 3, 1)
    users = {role: make_user(session, school, role, username=role.value) for role in Role}
    users[Role.BUREAU].school_id = None
    session.flush()
    session.commit()
    return {role: actor_of(session, user) for role, user in users.items()}


def button(at, label):
    return next(b for b in at.button if b.label == label)


# --- 我的账号 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_account_page_shows_who_i_am(school_case, role):
    at = run_page("pages/account.py", school_case[role])
    assert not at.exception
    assert at.title[0].value == "我的账号"
    assert f"`{role.value}`" in texts(at)
    assert [w.label for w in at.text_input] == ["当前密码", "新密码", "再次输入新密码"]


def test_account_page_changes_my_password(school_case, app_env):
    at = run_page("pages/account.py", school_case[Role.TEACHER])
    at.text_input[0].input(TEST_PASSWORD)
    at.text_input[1].input("Better-2026")
    at.text_input[2].input("Better-2026")
    button(at, "修改密码").click().run()
    assert "密码已修改。" in texts(at)
    with read_session(app_env) as session:
        assert verify_password("Better-2026", signin.find_user(session, "teacher").password_hash)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        (TEST_PASSWORD, "Better-2026", "Better-2027", "两次输入的新密码不一致。"),
        ("wrong-one1", "Better-2026", "Better-2026", "当前密码不正确。"),
        (TEST_PASSWORD, "Short1!", "Short1!", "密码至少 8 位。"),
        (
            TEST_PASSWORD,
            "lettersonly",
            "lettersonly",
            "密码须包含小写字母、大写字母、数字、符号中的至少 3 类（汉字等其他字符算作符号）。",
        ),
    ],
)
def test_account_page_explains_a_refused_change(school_case, current, new, repeat, message):
    at = run_page("pages/account.py", school_case[Role.PRINCIPAL])
    for widget, value in zip(at.text_input, (current, new, repeat), strict=True):
        widget.input(value)
    button(at, "修改密码").click().run()
    assert [e.value for e in at.error] == [message]


# --- 用户管理 ---------------------------------------------------------------------------------


def test_users_page_lists_the_school_users(school_case):
    at = run_page("pages/users.py", school_case[Role.ADMIN])
    assert not at.exception
    assert at.title[0].value == "用户管理"
    table = at.dataframe[0].value
    assert set(table["用户名"]) == {r.value for r in Role if r != Role.BUREAU}
    assert "角色" in table.columns


def test_users_page_creates_a_user_and_shows_the_one_time_password_once(school_case, app_env):
    at = run_page("pages/users.py", school_case[Role.ADMIN])
    at.text_input(key="users.new.username").input("xiaoming")
    at.text_input(key="users.new.name").input("小明老师")
    button(at, "创建").click().run()
    assert not at.exception
    assert "已创建用户 xiaoming" in texts(at)
    password = at.code[0].value
    with read_session(app_env) as session:
        user = signin.find_user(session, "xiaoming")
        assert user.must_change_password and verify_password(password, user.password_hash)
        assert audit_rows(session, AuditAction.CREATE)[-1].entity_id == user.id
    at.run()
    assert len(at.code) == 0  # shown only once


def test_users_page_shows_problems_and_creates_nothing(school_case, app_env):
    at = run_page("pages/users.py", school_case[Role.ADMIN])
    at.text_input(key="users.new.username").input("teacher")
    at.text_input(key="users.new.name").input("重名")
    button(at, "创建").click().run()
    assert [e.value for e in at.error] == ["该用户名已被使用。"]
    with read_session(app_env) as session:
        assert audit_rows(session, AuditAction.CREATE) == []


def test_users_page_disables_and_resets(school_case, app_env):
    target = school_case[Role.TEACHER]
    at = run_page("pages/users.py", school_case[Role.ADMIN])
    at.selectbox(key="users.chosen").set_value(target.user_id).run()
    button(at, "停用账号").click().run()
    assert "已停用 teacher。" in texts(at)
    button(at, "重置密码").click().run()
    password = at.code[0].value
    with read_session(app_env) as session:
        user = signin.find_user(session, "teacher")
        assert not user.active and user.must_change_password
        assert verify_password(password, user.password_hash)


def test_users_page_edits_role_and_name(school_case, app_env):
    target = school_case[Role.COUNSELLOR]
    at = run_page("pages/users.py", school_case[Role.ADMIN])
    at.selectbox(key="users.chosen").set_value(target.user_id).run()
    at.text_input(key=f"users.edit.{target.user_id}.name").input("新名字")
    at.selectbox(key=f"users.edit.{target.user_id}.role").set_value(Role.PRINCIPAL)
    button(at, "保存").click().run()
    assert "已保存。" in texts(at)
    with read_session(app_env) as session:
        user = signin.find_user(session, "counsellor")
        assert (user.display_name, user.role) == ("新名字", Role.PRINCIPAL)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_users_page_refuses_other_roles_in_the_service(school_case, role):
    at = run_page("pages/users.py", school_case[role])
    assert at.exception  # the service raised NotAllowed; navigation never offers the page


# --- 操作日志 ---------------------------------------------------------------------------------


@pytest.fixture
def with_log(school_case, app_env):
    with write_session(app_env) as session:
        signin.authenticate(session, "teacher", TEST_PASSWORD)
        signin.authenticate(session, "teacher", "wrong-pass1")
        signin.authenticate(session, "counsellor", TEST_PASSWORD)
    return school_case


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRINCIPAL])
def test_audit_log_page_lists_and_filters(with_log, role):
    at = run_page("pages/audit_log.py", with_log[role])
    assert not at.exception
    assert at.title[0].value == "操作日志"
    assert len(at.dataframe[0].value) == 3
    at.text_input(key="audit.who").input("teach").run()
    assert all(line.startswith("测试老师") for line in at.dataframe[0].value["记录"])
    at.checkbox(key="audit.failures").check().run()
    assert list(at.dataframe[0].value["记录"]) == ["测试老师登录未成功：密码错误"]
    assert list(at.dataframe[0].value["结果"]) == ["失败"]
    assert "共 1 条" in texts(at)


def test_audit_log_page_says_when_nothing_matches(with_log):
    at = run_page("pages/audit_log.py", with_log[Role.ADMIN])
    at.text_input(key="audit.who").input("nobody-at-all").run()
    assert "没有符合条件的记录。" in texts(at)


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR, Role.BUREAU])
def test_audit_log_page_refuses_other_roles_in_the_service(with_log, role):
    assert run_page("pages/audit_log.py", with_log[role]).exception
