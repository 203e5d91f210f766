"""The audit log as sentences (services/ops/audit_sentences.py): who, a verb, the record by name,
what changed with masked phones, never a secret, never raw JSON or English in Chinese."""

from __future__ import annotations

import re

from db.enums import AuditAction, LeftBehindType, Role
from locales import set_language
from services import audit
from services.accounts import signin, user_admin
from services.accounts.user_admin import UserDraft
from services.ops.audit_log import AuditFilter, list_audit_entries
from tests.factories import TEST_PASSWORD, actor_of, make_child, make_school, make_user

ENGLISH = re.compile(r"[A-Za-z]{3,}|None|\{")


def _sentences(session, actor) -> list[str]:
    return list(list_audit_entries(session, actor, AuditFilter()).rows["sentence"])


def test_a_change_to_a_child_reads_as_a_sentence_with_masked_phones(session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER, display_name="王老师")
    child = make_child(session, school, name="张阳")
    before = {"guardian_phone": "13812345678", "left_behind_type": "father"}
    after = {"guardian_phone": "13998765432", "left_behind_type": LeftBehindType.BOTH.value}
    audit.record(session, actor_of(session, head), AuditAction.UPDATE, "children", child.id,
                 before, after)  # fmt: skip
    admin = actor_of(session, make_user(session, school, Role.ADMIN))
    [line] = _sentences(session, admin)
    assert line == (
        "王老师（班主任）修改了 儿童档案 张阳 的 "
        "监护人电话：138****5678→139****5432；留守类型：父亲外出→双亲外出"
    )


def test_account_changes_logins_and_counselling_views_show_no_secret_english_or_json(session):
    school = make_school(session)
    admin = actor_of(session, make_user(session, school, Role.ADMIN, display_name="李校长"))
    issued = user_admin.create_user(session, admin, UserDraft("liu", "刘老师", Role.TEACHER))
    signin.authenticate(session, "liu", "not-it-123")
    sign_in = signin.authenticate(session, "liu", issued.one_time_password)
    signin.change_own_password(session, sign_in.actor, issued.one_time_password, "Mine-12345")
    signin.end_session(session, sign_in.actor)
    user_admin.set_user_active(session, admin, issued.user_id, False)
    audit.record(session, admin, AuditAction.VIEW_RESTRICTED, "counselling_notes",
                 after={"note_ids": [1, 2, 3]}, detail="viewed 3 counselling note(s)")  # fmt: skip
    audit.record(session, admin, AuditAction.UPDATE, "user", issued.user_id,
                 {"password_hash": "$2b$12$abc"}, {"password_hash": "$2b$12$xyz"})  # fmt: skip
    audit.record(session, admin, AuditAction.VIEW_RESTRICTED, "children", 999, ok=False,
                 detail="link to a child record refused: not found")  # fmt: skip
    lines = _sentences(session, admin)
    assert lines.pop(0) == "李校长（系统管理员）被拒绝查看 儿童档案 （编号 999）"
    assert lines[0] == "李校长（系统管理员）修改了 账号 刘老师 的 密码（已修改，内容不显示）"
    assert lines[1] == "李校长（系统管理员）查看了 3 条心理辅导记录"
    assert "李校长（系统管理员）修改了 账号 刘老师 的 启用：是→否" in lines
    assert "刘老师（教师）登录了系统（用户名和密码）" in lines
    assert "刘老师登录未成功：密码错误" in lines
    for line in lines:
        assert not ENGLISH.search(line), line
        assert "$2b$" not in line


def test_english_sentences_and_the_masked_view(session):
    school = make_school(session)
    make_user(session, school, username="t1")
    signin.authenticate(session, "t1", TEST_PASSWORD)
    child = make_child(session, school, name="张小萍")
    admin = actor_of(session, make_user(session, school, Role.ADMIN, display_name="Li"))
    audit.record(session, admin, AuditAction.DELETE, "children", child.id)
    masked = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    masked = type(masked)(**{**masked.__dict__, "demo_mode": True})
    assert _sentences(session, masked)[0].endswith("删除了 儿童档案 张*萍")
    set_language("en")
    try:
        lines = _sentences(session, admin)
    finally:
        set_language("zh_CN")
    assert lines[0] == "Li (Administrator) deleted the child record of 张小萍"
    assert lines[1].endswith("(Teacher) signed in (username and password)")


def test_a_field_name_shared_by_an_enum_and_a_number_reads_by_its_value():
    """`grade` is a class's 年级 (3) and a term result's 等级 (good): each reads as what it is."""
    from services.ops.audit_sentences import _value

    set_language("zh_CN")
    assert _value("grade", 3, masked=False) == "3 年级"
    assert _value("grade", "good", masked=False) == "良"
