"""Builders for the care-activity, health, aid and counselling tests (issue 6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ActivityType, LeftBehindType, Role
from db.models import Child, Classroom, School, Term, User
from services.actor import Actor
from services.care.activities import ActivityInput, save_activities
from tests.factories import actor_of, make_child, make_classroom, make_school, make_term, make_user


@dataclass
class CareSchool:
    """A school with two classes, a head teacher for the first and one user per role."""

    school: School
    class_a: Classroom
    class_b: Classroom
    head_user: User
    principal: Actor
    admin: Actor
    head: Actor
    teacher: Actor
    counsellor: Actor
    children_a: list[Child]
    children_b: list[Child]


def make_care_school(session: Session) -> CareSchool:
    """Class A: 3 left-behind + 1 other child; class B: 1 left-behind + 2 others."""
    school = make_school(session)
    make_term(session, school)
    head_user = make_user(session, school, Role.HEAD_TEACHER, display_name="李老师")
    class_a = make_classroom(session, school, grade=3, number=1, head=head_user)
    class_b = make_classroom(session, school, grade=4, number=1)
    lbt = LeftBehindType
    children_a = [
        make_child(session, school, class_a, t, name=f"甲{i}")
        for i, t in enumerate([lbt.BOTH, lbt.FATHER, lbt.MOTHER, lbt.NONE])
    ]
    children_b = [
        make_child(session, school, class_b, t, name=f"乙{i}")
        for i, t in enumerate([lbt.BOTH, lbt.NONE, lbt.NONE])
    ]

    def actor(role: Role) -> Actor:
        return actor_of(session, make_user(session, school, role))

    return CareSchool(
        school=school,
        class_a=class_a,
        class_b=class_b,
        head_user=head_user,
        principal=actor(Role.PRINCIPAL),
        admin=actor(Role.ADMIN),
        head=actor_of(session, head_user),
        teacher=actor(Role.TEACHER),
        counsellor=actor(Role.COUNSELLOR),
        children_a=children_a,
        children_b=children_b,
    )


def make_care_school_now(session: Session) -> tuple[CareSchool, Term]:
    """The care school with its term stretched around today, for pages that open on today's term."""
    s = make_care_school(session)
    term = session.scalar(select(Term).where(Term.school_id == s.school.id))
    today = date.today()
    term.start_date, term.end_date = date(today.year - 1, 9, 1), date(today.year + 1, 1, 20)
    return s, term


def make_activity(
    session: Session,
    actor: Actor,
    classrooms: list[Classroom],
    title: str = "六一游园会",
    activity_type: ActivityType = ActivityType.FESTIVAL,
    day: date = date(2026, 10, 15),
) -> int:
    rooms = [c.id for c in classrooms]
    item = ActivityInput(title, activity_type, day, "操场", "少先队", None, rooms)
    (activity_id,) = save_activities(session, actor, [item])
    return activity_id
