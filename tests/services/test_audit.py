"""The audit trail: one row per action with the right diff, in the same transaction as the change,
append-only in the database, and the viewer's filters and exports (services/ops/audit_log.py)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError, StatementError

from db.engine import read_session, write_session
from db.enums import AuditAction, Role
from db.models import AuditEntry, School
from services import audit
from services.accounts import signin, user_admin
from services.accounts.user_admin import UserDraft
from services.errors import NotAllowed
from services.ops.audit_log import (
    AuditFilter,
    export_audit_entries,
    list_audit_entries,
    local_today,
    to_csv,
)
from tests.factories import TEST_PASSWORD, actor_of, make_school, make_user
from tests.services.accounts_helpers import T0, audit_rows

# Audit rows carry the real time; the viewer's days are China Standard Time.
TODAY = local_today()

# --- the audit path --------------------------------------------------------------------------


def test_record_keeps_only_changed_fields(session):
    school = make_school(session)
    before = audit.snapshot(school)
    school.name = "新名字"
    session.flush()
    after = audit.snapshot(school)
    audit.record(session, None, AuditAction.UPDATE, "school", school.id, before, after)
    [entry] = audit_rows(session)
    assert (entry.before, entry.after) == ({"name": "测试小学"}, {"name": "新名字"})


def test_a_rolled_back_change_leaves_no_audit_row(engine):
    with write_session(engine) as session:
        school = make_school(session)
        admin = actor_of(session, make_user(session, school, Role.ADMIN))
    with pytest.raises(RuntimeError), write_session(engine) as session:
        user_admin.create_user(session, admin, UserDraft("ghost", "幽灵", Role.TEACHER))
        raise RuntimeError("the page failed after the service call")
    with read_session(engine) as session:
        assert audit_rows(session, AuditAction.CREATE) == []
        assert signin.find_user(session, "ghost") is None


def test_an_audit_failure_rolls_back_the_change(engine):
    with write_session(engine) as session:
        school_id = make_school(session).id
    with pytest.raises(StatementError), write_session(engine) as session:
        school = session.get(School, school_id)
        school.name = "改了名"
        session.flush()
        audit.record(session, None, "not-an-action", "school", school_id)  # type: ignore[arg-type]
    with read_session(engine) as session:
        assert session.get(School, school_id).name == "测试小学"
        assert audit_rows(session) == []


RAW_SQL = {"update": "UPDATE audit_entries SET detail = 'x'", "delete": "DELETE FROM audit_entries"}


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_audit_rows(engine, statement):
    with write_session(engine) as session:
        audit.record(session, None, AuditAction.LOGIN_FAILED, "user", None, username="x", ok=False)
    query = (
        update(AuditEntry).values(ok=True)
        if statement == "update"
        else delete(AuditEntry).where(AuditEntry.id > 0)
    )
    with pytest.raises(DBAPIError, match="append-only"), write_session(engine) as session:
        session.execute(query)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(RAW_SQL[statement]))
    with read_session(engine) as session:
        [entry] = audit_rows(session)
        assert entry.ok is False


def test_each_kind_of_account_action_is_audited_once(session):
    school = make_school(session)
    admin = actor_of(session, make_user(session, school, Role.ADMIN, username="root"))
    issued = user_admin.create_user(session, admin, UserDraft("liu", "刘老师", Role.TEACHER))
    signin.authenticate(session, "liu", "not-it-123", at=T0)
    sign_in = signin.authenticate(session, "liu", issued.one_time_password, at=T0)
    signin.change_own_password(session, sign_in.actor, issued.one_time_password, "Mine-12345")
    signin.end_session(session, sign_in.actor)
    user_admin.set_user_active(session, admin, issued.user_id, False)
    export_audit_entries(session, admin, AuditFilter(), "csv")

    actions = [(e.action, e.username, e.ok) for e in audit_rows(session)]
    assert actions == [
        (AuditAction.CREATE, "root", True),
        (AuditAction.LOGIN_FAILED, "liu", False),
        (AuditAction.LOGIN, "liu", True),
        (AuditAction.UPDATE, "liu", True),
        (AuditAction.LOGOUT, "liu", True),
        (AuditAction.UPDATE, "root", True),
        (AuditAction.EXPORT, "root", True),
    ]
    assert all(e.school_id == school.id for e in audit_rows(session))
    assert audit_rows(session, AuditAction.UPDATE)[-1].after == {"active": False}


# --- the viewer ------------------------------------------------------------------------------


@pytest.fixture
def log(session):
    """A small log: two users of one school, one of another, across two days."""
    school, other = make_school(session), make_school(session, name="别校")
    admin = actor_of(session, make_user(session, school, Role.ADMIN, username="admin1"))
    teacher = make_user(session, school, username="teacher1")
    make_user(session, other, username="outsider")
    signin.authenticate(session, "teacher1", TEST_PASSWORD, at=T0)
    signin.authenticate(session, "teacher1", "wrong-pass1", at=T0)
    signin.authenticate(session, "outsider", TEST_PASSWORD, at=T0)
    user_admin.set_user_active(session, admin, teacher.id, False)
    session.flush()
    return admin


def test_viewer_sees_only_its_own_school(session, log):
    page = list_audit_entries(session, log, AuditFilter())
    assert page.total == 3
    assert set(page.rows["username"]) == {"teacher1", "admin1"}
    assert list(page.rows["action"]) == ["修改", "登录失败", "登录"]  # newest first


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (AuditFilter(username="TEACH"), 2),
        (AuditFilter(actions=(AuditAction.LOGIN, AuditAction.UPDATE)), 2),
        (AuditFilter(entity="user"), 3),
        (AuditFilter(entity="child"), 0),
        (AuditFilter(only_failures=True), 1),
        (AuditFilter(date_from=TODAY, date_to=TODAY), 3),
        (AuditFilter(date_to=TODAY - timedelta(days=1)), 0),
        (AuditFilter(date_from=TODAY + timedelta(days=1)), 0),
    ],
)
def test_viewer_filters(session, log, flt, expected):
    assert list_audit_entries(session, log, flt).total == expected


def test_viewer_filters_by_entity_id(session, log):
    teacher_id = signin.find_user(session, "teacher1").id
    page = list_audit_entries(session, log, AuditFilter(entity="user", entity_id=teacher_id))
    assert page.total == 3
    assert page.rows.iloc[0]["after"] == '{"active": false}'


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR, Role.BUREAU])
def test_other_roles_may_not_read_the_log(session, role):
    school = make_school(session)
    actor = actor_of(session, make_user(session, school if role != Role.BUREAU else None, role))
    with pytest.raises(NotAllowed):
        list_audit_entries(session, actor, AuditFilter())
    with pytest.raises(NotAllowed):
        export_audit_entries(session, actor, AuditFilter(), "csv")


def test_principal_may_read_the_log(session, log):
    principal = actor_of(session, make_user(session, make_school(session), Role.PRINCIPAL))
    assert list_audit_entries(session, principal, AuditFilter()).total == 0


def test_csv_export_is_excel_safe_and_audited(session, log):
    data = export_audit_entries(session, log, AuditFilter(only_failures=True), "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "编号",
        "时间",
        "操作人",
        "角色",
        "操作",
        "对象",
        "对象编号",
        "成功",
        "修改前",
        "修改后",
        "说明",
        "记录",
    ]
    assert rows[1][11] == "测试老师登录未成功：密码错误"
    assert rows[1][4] == "登录失败"
    assert [r[2] for r in rows[1:]] == ["teacher1"]
    [export] = audit_rows(session, AuditAction.EXPORT)
    assert export.detail == 'csv rows=1 filter={"only_failures": true}'


def test_csv_cells_never_start_a_formula():
    frame = pd.DataFrame({"a": ["=1+1", "+x", "-y", "@z", "plain", None]})
    cells = [row[0] for row in csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig")))]
    assert cells == ["a", "'=1+1", "'+x", "'-y", "'@z", "plain", ""]


def test_xlsx_export_keeps_formula_like_text_as_text(session, log):
    teacher_id = signin.find_user(session, "teacher1").id
    audit.record(session, log, AuditAction.UPDATE, "user", teacher_id, detail="=SUM(A1:A9)")
    data = export_audit_entries(session, log, AuditFilter(), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    details = [row[10].value for row in sheet.iter_rows(min_row=2)]
    assert "=SUM(A1:A9)" in details
    cell = next(row[10] for row in sheet.iter_rows(min_row=2) if row[10].value == "=SUM(A1:A9)")
    assert cell.data_type == "s"
    assert sheet.freeze_panes == "A2"
