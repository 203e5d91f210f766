"""A hand-built school for the export tests: every figure in the reports can be counted by hand.

青山小学 (青山县), term 2026-09-01 – 2027-01-20, default contact rules.
三年级(1)班 (head 李老师): 张小萍 (both away, key), 李明 (father), 王芳 (mother), 赵强 (not).
四年级(1)班 (head 周老师): 陈静 (both away), 刘洋 (not), 孙悦 (not).
→ 7 children, 4 left-behind (57.1%), both 2, one parent 2, key 1.
Pairing: 王老师 with 张小萍 and 陈静 (2 of 4 left-behind paired, the key child paired).
Contacts in November 2026: 3 for 张小萍 (home visit to guardian, phone to father, phone to the
child), 1 home visit for 李明. 陈静 and 王芳 have none (not contacted for two months).
Activity: 六一 style festival on 2026-11-10 for both classes: 张小萍, 李明 and 刘洋 attended.
Health check: 张小萍 (vision 4.8) and 赵强 on 2026-11-05. Aid: 两免一补 500 yuan to 张小萍.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.enums import (
    ActivityType,
    AidKind,
    ContactChannel,
    Counterpart,
    Gender,
    LeftBehindType,
    Role,
)
from db.models import (
    ActivityClassroom,
    Aid,
    Child,
    Contact,
    HealthCheck,
    Pairing,
    Participation,
)
from services.actor import Actor
from services.compliance.default_rules import install_default_rules
from tests import factories
from tests.factories import actor_of, make_child, make_classroom, make_school, make_term, make_user

B, F, M, N = LeftBehindType.BOTH, LeftBehindType.FATHER, LeftBehindType.MOTHER, LeftBehindType.NONE


@dataclass
class ReportSchool:
    principal: Actor
    admin: Actor
    bureau: Actor
    head: Actor
    class_a_id: int
    class_b_id: int
    child_ids: dict[str, int]


def _child(session, school, room, name, kind, **fields):  # type: ignore[no-untyped-def]
    defaults = {
        "name": name,
        "gender": Gender.FEMALE,
        "birth_date": date(2016, 5, 1),
        "guardian_name": f"{name[0]}奶奶",
        "guardian_relation": "祖母",
        "guardian_phone": "13800000000",
        "father_name": f"{name[0]}建国",
        "father_phone": "13811112222",
        "father_work_province": "广东",
        "father_work_city": "深圳",
        "father_work_detail": "广东省深圳市宝安区某电子厂",
        "mother_name": "刘秀兰",
        "mother_phone": "13933334444",
        "mother_work_province": "浙江",
        "mother_work_city": "宁波",
        "mother_work_detail": "浙江省宁波市某服装厂",
    }
    defaults.update(fields)
    return make_child(session, school, room, kind, **defaults)


def make_report_school(session: Session) -> ReportSchool:
    school = make_school(session, name="青山小学", county="青山县")
    term = make_term(session, school)
    install_default_rules(session, school.id)
    principal = make_user(session, school, Role.PRINCIPAL, "rp_principal", display_name="校长")
    admin = make_user(session, school, Role.ADMIN, "rp_admin", display_name="管理员")
    bureau = make_user(session, None, Role.BUREAU, "rp_bureau", county="青山县")
    head_a = make_user(session, school, Role.HEAD_TEACHER, "rp_head_a", display_name="李老师")
    head_b = make_user(session, school, Role.HEAD_TEACHER, "rp_head_b", display_name="周老师")
    pair_teacher = make_user(session, school, Role.TEACHER, "rp_teacher", display_name="王老师")
    room_a = make_classroom(session, school, grade=3, number=1, head=head_a)
    room_b = make_classroom(session, school, grade=4, number=1, head=head_b)
    room_a.name, room_b.name = "三年级(1)班", "四年级(1)班"
    kids = {
        "张小萍": _child(session, school, room_a, "张小萍", B, is_key=True, key_reasons=["study"]),
        "李明": _child(session, school, room_a, "李明", F, gender=Gender.MALE),
        "王芳": _child(session, school, room_a, "王芳", M),
        "赵强": _child(session, school, room_a, "赵强", N, gender=Gender.MALE),
        "陈静": _child(session, school, room_b, "陈静", B),
        "刘洋": _child(session, school, room_b, "刘洋", N, gender=Gender.MALE),
        "孙悦": _child(session, school, room_b, "孙悦", N),
    }
    sid = school.id
    for name in ("张小萍", "陈静"):
        session.add(
            Pairing(
                school_id=sid, teacher_id=pair_teacher.id, child_id=kids[name].id, term_id=term.id
            )
        )
    contacts = [
        ("张小萍", date(2026, 11, 3), ContactChannel.HOME_VISIT, Counterpart.GUARDIAN, head_a),
        ("张小萍", date(2026, 11, 8), ContactChannel.PHONE, Counterpart.FATHER, head_a),
        ("张小萍", date(2026, 11, 9), ContactChannel.PHONE, Counterpart.CHILD, head_a),
        ("李明", date(2026, 11, 12), ContactChannel.HOME_VISIT, Counterpart.GUARDIAN, head_a),
    ]
    for name, day, channel, counterpart, teacher in contacts:
        session.add(
            Contact(
                school_id=sid,
                child_id=kids[name].id,
                teacher_id=teacher.id,
                contact_date=day,
                channel=channel,
                counterpart=counterpart,
                summary='=HYPERLINK("http://x")' if name == "李明" else "了解学习情况",
            )
        )
    activity = factories.make_activity_row(
        session, school, term, "冬季关爱联欢会", ActivityType.FESTIVAL, date(2026, 11, 10)
    )
    for room in (room_a, room_b):
        session.add(ActivityClassroom(school_id=sid, activity_id=activity.id, classroom_id=room.id))
    for name in ("张小萍", "李明", "刘洋"):
        session.add(
            Participation(
                school_id=sid, activity_id=activity.id, child_id=kids[name].id, attended=True
            )
        )
    session.add(
        HealthCheck(
            school_id=sid, child_id=kids["张小萍"].id, check_date=date(2026, 11, 5),
            height_cm=130, weight_kg=27, vision_left=4.8, vision_right=5.0,
        )
    )  # fmt: skip
    session.add(
        HealthCheck(
            school_id=sid, child_id=kids["赵强"].id, check_date=date(2026, 11, 5),
            height_cm=132, weight_kg=29, vision_left=5.0, vision_right=5.1,
        )
    )  # fmt: skip
    session.add(
        Aid(
            school_id=sid, child_id=kids["张小萍"].id, term_id=term.id,
            kind=AidKind.TWO_EXEMPT_ONE_SUBSIDY, amount=Decimal("500.00"),
            granted_on=date(2026, 10, 15),
        )
    )  # fmt: skip
    session.flush()
    session.commit()
    return ReportSchool(
        principal=actor_of(session, principal),
        admin=actor_of(session, admin),
        bureau=actor_of(session, bureau),
        head=actor_of(session, head_a),
        class_a_id=room_a.id,
        class_b_id=room_b.id,
        child_ids={name: child.id for name, child in kids.items()},
    )


def make_settled_report_school(session: Session) -> ReportSchool:
    """The report school with every child on the books since the summer: not 新建档 on any day
    the tests look from."""
    made = make_report_school(session)
    session.execute(update(Child).values(created_at=datetime(2026, 8, 1, tzinfo=UTC)))
    session.commit()
    return made
