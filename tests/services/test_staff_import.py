"""Staff from the staff sheet (教职工名单): real files built here, planned and written on SQLite
and PostgreSQL; usernames, one-time passwords, classes, re-import, bad rows, the slips."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from db.enums import AuditAction, Role
from db.models import AuditEntry, Classroom, User
from services.accounts.passwords import hash_password, verify_password
from services.accounts.signin import authenticate
from services.accounts.user_classes import classes_of
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.importing import staff_writer
from services.importing.staff import apply_staff_import, plan_staff_import
from services.importing.staff_preview import staff_plan_frame
from services.importing.staff_slips import export_slips, slips_pdf
from services.importing.staff_template import staff_template
from services.importing.staff_values import UsernameFrom, read_staff_sheet, suggest_staff_mapping
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.workbooks import xlsx_bytes

HEADER = ["序号", "姓名", "手机号码", "职务", "任教班级", "班主任班级"]


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """bcrypt at its lowest cost here: the tests count accounts, not hashing time."""
    monkeypatch.setattr(staff_writer, "hash_password", lambda p: hash_password(p, rounds=4))


def xlsx(rows: list[list[object]], title: str | None = "青山小学2026年秋季教职工名单") -> bytes:
    return xlsx_bytes([[title], *rows] if title else rows)


STAFF = [
    HEADER,
    [1, "李明", "13812340001", "班主任", "三年级2班、四年级1班", "三年级(2)班"],
    [2, "王芳", "138 1234 0002", "教师", "三年级2班", None],
    [3, "赵心怡", None, "心理辅导员", None, None],
    [4, "钱校长", "13812340004", "校长", None, None],
    [5, "孙丽", "13812340005", None, "四年级1班", "四年级1班"],
]


@pytest.fixture
def school_setup(session):
    school = make_school(session, name="青山小学")
    principal = make_user(session, school, Role.PRINCIPAL, username="principal")
    admin = make_user(
        session, school, Role.ADMIN, username="admin", display_name="周管理", phone="13900000000"
    )
    head = make_user(session, school, Role.HEAD_TEACHER, username="head")
    room = make_classroom(session, school, grade=3, number=2)
    room.name = "三年级(2)班"
    session.commit()
    return {
        "school": school,
        "principal": actor_of(session, principal),
        "admin": actor_of(session, admin),
        "head": actor_of(session, head),
        "room": room,
    }


def plan_of(session, actor, data: bytes, name="教职工名单.xlsx", source=UsernameFrom.PHONE):
    sheet = read_staff_sheet(data, name)
    mapping = suggest_staff_mapping(sheet.headers)
    return sheet, mapping, plan_staff_import(session, actor, sheet, mapping, source)


def apply_of(session, actor, data: bytes, name="教职工名单.xlsx", source=UsernameFrom.PHONE):
    sheet, mapping, plan = plan_of(session, actor, data, name, source)
    result = apply_staff_import(session, actor, sheet, mapping, plan.signature(), source)
    session.commit()
    return result


def user_named(session, name: str) -> User:
    return session.scalars(select(User).where(User.display_name == name)).one()


def test_staff_sheet_header_below_a_title_is_found_and_mapped():
    sheet = read_staff_sheet(xlsx(STAFF), "教职工名单.xlsx")
    assert sheet.header_row == 2
    assert [number for number, _ in sheet.rows] == [3, 4, 5, 6, 7]
    assert suggest_staff_mapping(sheet.headers) == {
        "序号": None,
        "姓名": "name",
        "手机号码": "phone",
        "职务": "role",
        "任教班级": "taught",
        "班主任班级": "head_of",
    }


def test_plan_lists_new_accounts_usernames_roles_and_new_classes(session, school_setup):
    make_user(session, None, Role.BUREAU, username="zhaoxinyi", county="青山县")
    session.commit()
    _, _, plan = plan_of(session, school_setup["principal"], xlsx(STAFF))
    assert not plan.problems
    assert [r.action for r in plan.rows] == ["insert"] * 5
    by_name = {r.name: r for r in plan.rows}
    assert by_name["李明"].username == "13812340001"
    assert by_name["王芳"].phone == "13812340002"
    assert by_name["赵心怡"].username == "zhaoxinyi2"  # pinyin; "zhaoxinyi" is taken
    assert by_name["钱校长"].role == Role.PRINCIPAL
    assert by_name["孙丽"].role == Role.HEAD_TEACHER  # inferred from the head-teacher class
    assert by_name["孙丽"].inferred == ["role"]
    assert by_name["李明"].head_of == ["三年级(2)班"]
    assert by_name["李明"].taught == ["三年级(2)班", "四年级(1)班"]
    assert list(plan.new_classrooms.values()) == ["四年级(1)班"]
    frame = staff_plan_frame(plan)
    assert frame["用户名"].tolist()[0] == "13812340001"
    assert "（推定）" in frame["角色"].tolist()[4]


def test_pinyin_usernames_and_clashes_get_a_digit(session, school_setup):
    make_user(session, school_setup["school"], Role.TEACHER, username="zhangwei")
    session.commit()
    rows = [HEADER, [1, "张伟", "13812340011", "教师"], [2, "章伟", None, "教师"],
            [3, "欧阳娜娜", None, "教师"], [4, "吕丽", None, "教师"]]  # fmt: skip
    _, _, plan = plan_of(session, school_setup["principal"], xlsx(rows), source=UsernameFrom.PINYIN)
    assert [r.username for r in plan.rows] == ["zhangwei2", "zhangwei3", "ouyangnana", "lvli"]


def test_apply_creates_accounts_with_one_time_passwords_and_classes(session, school_setup):
    actor = school_setup["principal"]
    result = apply_of(session, actor, xlsx(STAFF))
    assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
    assert result.new_classrooms == ["四年级(1)班"]
    assert [s.name for s in result.slips] == ["李明", "王芳", "赵心怡", "钱校长", "孙丽"]
    li = user_named(session, "李明")
    slip = result.slips[0]
    assert (li.username, li.role, li.phone) == ("13812340001", Role.HEAD_TEACHER, "13812340001")
    assert li.must_change_password and li.active and li.school_id == actor.school_id
    assert verify_password(slip.one_time_password, li.password_hash)
    room4 = session.scalars(select(Classroom).where(Classroom.name == "四年级(1)班")).one()
    heads, taught = classes_of(session, [li.id, user_named(session, "孙丽").id])
    assert heads[li.id] == {school_setup["room"].id}
    assert taught[li.id] == {school_setup["room"].id, room4.id}
    assert heads[user_named(session, "孙丽").id] == {room4.id}
    signed_in = authenticate(session, li.username, slip.one_time_password)
    assert signed_in is not None and signed_in.must_change_password
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "user")).all()
    imported = [e for e in entries if e.action == AuditAction.IMPORT]
    assert len(imported) == 1
    assert imported[0].after["inserted"] == 5 and imported[0].after["file"] == "教职工名单.xlsx"
    created = [e for e in entries if e.action == AuditAction.CREATE]
    assert len(created) == 5
    assert all("password_hash" not in e.after for e in created)
    assert slip.one_time_password not in str([e.after for e in entries])


def test_reimport_matches_by_mobile_then_by_name_and_writes_nothing_when_same(
    session, school_setup
):
    actor = school_setup["principal"]
    apply_of(session, actor, xlsx(STAFF))
    users_before = session.scalar(select(func.count(User.id)))
    changed = [
        HEADER,
        [1, "李明明", "13812340001", "班主任", "三年级2班", "三年级2班"],  # same mobile: renamed
        [2, "王芳", "13812340002", "班主任", None, "四年级1班"],  # takes 四年级1班 from 孙丽
        [3, "赵心怡", "13812340003", None, None, None],  # by name: mobile added
        [4, "钱校长", "13812340004", "校长", None, None],
        [5, "孙丽", "13812340005", "教师", "四年级1班", None],
    ]
    sheet, mapping, plan = plan_of(session, actor, xlsx(changed))
    assert not plan.problems
    actions = {r.name: r.action for r in plan.rows}
    assert actions == {"李明明": "update", "王芳": "update", "赵心怡": "update",
                       "钱校长": "unchanged", "孙丽": "update"}  # fmt: skip
    changes = {r.name: {c.field: (c.before, c.after) for c in r.changes} for r in plan.rows}
    assert changes["李明明"]["name"] == ("李明", "李明明")
    assert changes["李明明"]["taught"] == ("三年级(2)班、四年级(1)班", "三年级(2)班")
    assert changes["赵心怡"]["phone"] == (None, "13812340003")
    assert changes["王芳"]["role"] == (Role.TEACHER, Role.HEAD_TEACHER)
    result = apply_staff_import(session, actor, sheet, mapping, plan.signature())
    session.commit()
    assert (result.inserted, result.updated, result.unchanged) == (0, 4, 1)
    assert result.slips == []
    assert session.scalar(select(func.count(User.id))) == users_before
    wang, sun = user_named(session, "王芳"), user_named(session, "孙丽")
    heads, _ = classes_of(session, [wang.id, sun.id])
    assert len(heads[wang.id]) == 1 and sun.id not in heads
    assert user_named(session, "李明明").username == "13812340001"  # usernames never change

    audits = session.scalar(select(func.count(AuditEntry.id)))
    sheet, mapping, plan = plan_of(session, actor, xlsx(changed))
    assert not plan.changed and plan.count("unchanged") == 5
    result = apply_staff_import(session, actor, sheet, mapping, plan.signature())
    session.commit()
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 5)
    assert session.scalar(select(func.count(AuditEntry.id))) == audits  # nothing written


def test_a_namesake_with_another_mobile_is_a_new_account(session, school_setup):
    actor = school_setup["principal"]
    apply_of(session, actor, xlsx(STAFF))
    rows = [HEADER, [1, "王芳", "13812349999", "教师", None, None]]
    _, _, plan = plan_of(session, actor, xlsx(rows))
    (row,) = plan.rows
    assert row.action == "insert" and row.notes == ["staff.note.namesake"]


def test_every_bad_row_is_reported_and_nothing_written(session, school_setup):
    rows = [
        HEADER,
        [1, "李明", "1381234000", "班主任", None, "三年级2班"],  # short mobile
        [2, "王芳", "13812340002", "门卫", None, None],  # unknown role
        [3, "赵六", None, "教师", "三年级甲班", None],  # bad class
        [4, "钱七", None, "教师", None, "三年级2班"],  # head class, but a teacher
        [5, None, "13812340009", "教师", None, None],  # no name
        [6, "孙八", "13812340008", "班主任", None, "3.2"],
        [7, "周九", "13812340008", "教师", None, None],  # mobile of row 8
        [8, "吴十", None, "班主任", None, "三年级(2)班"],  # head class of row 8
        [9, "测试老师", None, "教师", None, None],  # two accounts have this name
    ]
    sheet, mapping, plan = plan_of(session, school_setup["principal"], xlsx(rows))
    found = sorted((int(p.row), p.column, p.reason) for p in plan.problems)
    assert found == [
        (3, "手机号码", "staff.reason.bad_mobile"),
        (4, "职务", "staff.reason.bad_role"),
        (5, "任教班级", "import.reason.bad_class"),
        (6, "班主任班级", "accounts.head_of_needs_head_teacher"),
        (7, "姓名", "import.reason.required"),
        (9, "手机号码", "staff.reason.duplicate_mobile"),
        (10, "班主任班级", "staff.reason.duplicate_head"),
        (11, "姓名", "staff.reason.ambiguous_name"),
    ]
    duplicates = [p for p in plan.problems if p.reason.startswith("staff.reason.duplicate")]
    assert [p.params["row"] for p in duplicates] == [8, 8]
    users = session.scalar(select(func.count(User.id)))
    with pytest.raises(ValidationFailed):
        apply_staff_import(session, school_setup["principal"], sheet, mapping)
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == users


def test_missing_name_column_is_reported(session, school_setup):
    rows = [["手机号码", "职务", "任教班级"], ["13812340001", "教师", "3.2"]]
    _, _, plan = plan_of(session, school_setup["principal"], xlsx(rows, title=None))
    assert [(p.column, p.reason) for p in plan.problems] == [
        ("姓名", "import.reason.missing_column")
    ]


def test_gbk_csv_is_read(session, school_setup):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["姓名", "手机", "角色"], ["李明", "13812340001", "教师"]])
    _, _, plan = plan_of(
        session, school_setup["principal"], buffer.getvalue().encode("gbk"), "名单.csv"
    )
    assert [(r.name, r.role, r.username) for r in plan.rows] == [
        ("李明", Role.TEACHER, "13812340001")
    ]


def test_only_principal_and_admin_may_import(session, school_setup):
    with pytest.raises(NotAllowed):
        plan_of(session, school_setup["head"], xlsx(STAFF))


def test_administrators_role_is_never_changed(session, school_setup):
    rows = [HEADER, [1, "周管理", "13900000000", "教师", "三年级2班", None]]
    actor = school_setup["admin"]
    sheet, mapping, plan = plan_of(session, actor, xlsx(rows))
    admin_row = plan.rows[0]
    assert admin_row.action == "update" and admin_row.role == Role.ADMIN
    assert "staff.note.role_kept" in admin_row.notes
    assert [c.field for c in admin_row.changes] == ["taught"]
    apply_staff_import(session, actor, sheet, mapping, plan.signature())
    session.commit()
    assert user_named(session, "周管理").role == Role.ADMIN


def test_changes_after_the_preview_are_detected(session, school_setup):
    actor = school_setup["principal"]
    sheet, mapping, plan = plan_of(session, actor, xlsx(STAFF))
    make_user(session, school_setup["school"], Role.TEACHER, display_name="王芳",
              phone="13812340002")  # fmt: skip
    session.flush()
    with pytest.raises(ConflictError):
        apply_staff_import(session, actor, sheet, mapping, plan.signature())


def test_passwords_made_before_the_write_are_used(session, school_setup):
    actor = school_setup["principal"]
    sheet, mapping, plan = plan_of(session, actor, xlsx(STAFF))
    secrets = staff_writer.issue_secrets(plan.count("insert"))
    result = apply_staff_import(session, actor, sheet, mapping, plan.signature(), secrets=secrets)
    assert [s.one_time_password for s in result.slips] == [s.password for s in secrets]


def test_slips_pdf_and_its_audited_export(session, school_setup):
    actor = school_setup["principal"]
    result = apply_of(session, actor, xlsx(STAFF))
    data = slips_pdf("青山小学", result.slips)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for slip in result.slips:
        assert slip.name in text and slip.username in text and slip.one_time_password in text
    assert "首次登录" in text
    exported = export_slips(session, actor, result.slips)
    session.commit()
    assert exported.startswith(b"%PDF")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)).one()
    assert entry.entity == "staff_slips" and entry.after["slips"] == 5
    assert result.slips[0].one_time_password not in str(entry.after) + (entry.detail or "")


def test_blank_template_is_read_back_with_every_column_known(session, school_setup):
    sheet = read_staff_sheet(staff_template(), "教职工导入模板.xlsx")
    mapping = suggest_staff_mapping(sheet.headers)
    assert set(mapping.values()) == {"name", "phone", "role", "taught", "head_of"}
    assert sheet.rows == []
