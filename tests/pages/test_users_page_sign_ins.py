"""用户管理's sign-in buttons (#13 items 5 and 7): an administrator lifts a lock and ends a
user's sessions."""

from __future__ import annotations

import pytest

from db.engine import read_session, write_session
from db.enums import Role
from services.accounts import lockout, signin
from tests.factories import TEST_PASSWORD, actor_of, make_school, make_user
from tests.pages.apptest import run_page, texts


@pytest.fixture
def users(app_env, session):  # type: ignore[no-untyped-def]
    school = make_school(session)
    admin = make_user(session, school, Role.ADMIN, username="admin")
    teacher = make_user(session, school, Role.TEACHER, username="teacher")
    session.commit()
    return actor_of(session, admin), teacher.id


def button(at, label):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_the_admin_unlocks_a_locked_account(users, app_env):
    admin, teacher_id = users
    with write_session(app_env) as session:
        for n in range(lockout.ACCOUNT_MAX_FAILURES):
            signin.authenticate(session, "teacher", "wrong-1234", client_address=f"192.0.2.{n}")
    at = run_page("pages/users.py", admin)
    at.selectbox(key="users.chosen").set_value(teacher_id).run()
    button(at, "解除锁定").click().run()
    assert "已解除 teacher 的锁定。" in texts(at)
    assert "解除锁定" not in [b.label for b in at.button]
    with write_session(app_env) as session:
        assert signin.authenticate(session, "teacher", TEST_PASSWORD) is not None


def test_the_unlock_button_shows_only_for_a_locked_account(users):
    admin, teacher_id = users
    at = run_page("pages/users.py", admin)
    at.selectbox(key="users.chosen").set_value(teacher_id).run()
    assert "解除锁定" not in [b.label for b in at.button]
    assert "结束全部登录" in [b.label for b in at.button]


def test_the_admin_ends_a_users_sign_ins(users, app_env):
    admin, teacher_id = users
    with write_session(app_env) as session:
        live = signin.authenticate(session, "teacher", TEST_PASSWORD)
    at = run_page("pages/users.py", admin)
    at.selectbox(key="users.chosen").set_value(teacher_id).run()
    button(at, "结束全部登录").click().run()
    assert "已结束 teacher 的全部登录。" in texts(at)
    with read_session(app_env) as session:
        assert signin.check_session(session, live.session_id).ended_reason == "revoked"


def test_no_disable_or_end_sign_ins_button_for_ones_own_account(users):
    admin, teacher_id = users
    at = run_page("pages/users.py", admin)
    at.selectbox(key="users.chosen").set_value(admin.user_id).run()
    labels = [b.label for b in at.button]
    assert "停用账号" not in labels and "结束全部登录" not in labels
    assert "重置密码" in labels  # the rest of one's own row is still there
    at.selectbox(key="users.chosen").set_value(teacher_id).run()
    assert {"停用账号", "结束全部登录"} <= {b.label for b in at.button}
