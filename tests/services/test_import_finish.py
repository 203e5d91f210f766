"""Import finish (#14 item 5): a roster with nothing to change says so and writes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from db.enums import Role
from db.models import AuditEntry, Child
from services.importing.parsing import read_roster, suggest_mapping
from services.importing.plan import apply_import, plan_import
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.services.test_import import xlsx_bytes

TODAY = date(2026, 11, 28)
ROWS = [
    ["学籍号", "姓名", "性别", "出生日期", "班级", "留守类型"],
    ["G300001", "李明", "男", "2016-03-01", "三年级2班", "双亲外出"],
    ["G300002", "王芳", "女", "2016-05-01", "三年级2班", "父亲外出"],
]


def test_a_roster_already_in_the_ledger_writes_nothing(session):
    school = make_school(session)
    make_classroom(session, school, grade=3, number=2)
    actor = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    session.commit()
    sheet = read_roster(xlsx_bytes(ROWS), "花名册.xlsx")
    mapping = suggest_mapping(sheet.headers)
    plan = plan_import(session, actor, sheet, mapping, today=TODAY)
    assert plan.changed
    first = apply_import(session, actor, sheet, mapping, plan.signature(), today=TODAY)
    session.commit()
    assert (first.inserted, first.updated) == (2, 0)
    audits = session.scalar(select(func.count(AuditEntry.id)))

    again = plan_import(session, actor, sheet, mapping, today=TODAY)
    assert not again.changed and again.count("unchanged") == 2
    second = apply_import(session, actor, sheet, mapping, again.signature(), today=TODAY)
    session.commit()
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert session.scalar(select(func.count(AuditEntry.id))) == audits
    assert session.scalar(select(func.count(Child.id))) == 2
