"""Tiny builders for hand-made test cases. Each flushes and returns the ORM object."""

from __future__ import annotations

import itertools
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from db.enums import ActivityType, EnrolmentStatus, Gender, LeftBehindType, LetterGrade, Role
from db.growth_models import GrowthObservation, TermResult
from db.models import Activity, Child, Classroom, Pairing, School, Term, User
from services.actor import Actor, load_actor

_seq = itertools.count(1)
_Row = TypeVar("_Row")
# One cheap hash for every test user (password "test1234"); real hashing is tested on its own.
TEST_PASSWORD = "test1234"
_TEST_HASH = "$2b$04$tRkxLQO4a6qmwxBquHVHkeZGz6ri3k/x04RObCeQnZpV3ZQEh304q"


# Both parents recorded: names, phones and the provinces they work in.
PARENTS = {
    "father_name": "王父",
    "father_phone": "13812345670",
    "father_work_province": "广东",
    "mother_name": "李母",
    "mother_phone": "13812345671",
    "mother_work_province": "浙江",
}


def added(session: Session, row: _Row) -> _Row:
    """`row` added to the session and flushed (so it has its id)."""
    session.add(row)
    session.flush()
    return row


def make_school(session: Session, name: str = "测试小学", county: str = "青山县") -> School:
    return added(session, School(name=name, county=county, code=f"S{next(_seq):05d}"))


def make_user(
    session: Session,
    school: School | None,
    role: Role = Role.TEACHER,
    username: str | None = None,
    **fields: object,
) -> User:
    user = User(
        school_id=school.id if school else None,
        county=fields.pop("county", school.county if school else "青山县"),
        username=username or f"user{next(_seq)}",
        display_name=fields.pop("display_name", "测试老师"),
        role=role,
        password_hash=fields.pop("password_hash", _TEST_HASH),
        **fields,
    )
    return added(session, user)


def make_classroom(
    session: Session, school: School, grade: int = 3, number: int = 1, head: User | None = None
) -> Classroom:
    room = Classroom(
        school_id=school.id,
        grade=grade,
        number=number,
        name=f"{grade}年级({number})班",
        head_teacher_id=head.id if head else None,
    )
    return added(session, room)


def make_term(
    session: Session,
    school: School,
    start: date = date(2026, 9, 1),
    end: date = date(2027, 1, 20),
    holidays: list[dict[str, str]] | None = None,
) -> Term:
    """The 2026 autumn term: phases 期初 to 9/30, 期中 10/26–11/20, 期末 12/21 on; by default
    the National Day week is its holiday."""
    if holidays is None:
        holidays = [{"name": "国庆节", "start": "2026-10-01", "end": "2026-10-07"}]
    term = Term(
        school_id=school.id,
        name="2026年秋季学期",
        start_date=start,
        end_date=end,
        holidays=holidays,
        start_phase_from=start,
        start_phase_to=date(2026, 9, 30),
        middle_phase_from=date(2026, 10, 26),
        middle_phase_to=date(2026, 11, 20),
        end_phase_from=date(2026, 12, 21),
        end_phase_to=end,
    )
    return added(session, term)


def make_child(
    session: Session,
    school: School,
    classroom: Classroom | None = None,
    left_behind_type: LeftBehindType = LeftBehindType.BOTH,
    **fields: object,
) -> Child:
    n = next(_seq)
    values: dict = {
        "student_no": f"G{n:012d}",
        "name": f"测试儿童{n}",
        "gender": Gender.FEMALE,
        "birth_date": date(2017, 5, 1),
        "enrolment_status": EnrolmentStatus.ENROLLED,
        "guardian_name": "王奶奶",
        "guardian_relation": "祖母",
        "guardian_phone": "13812345678",
    }
    values.update(fields)
    child = Child(
        school_id=school.id,
        classroom_id=classroom.id if classroom else None,
        left_behind_type=left_behind_type,
        **values,
    )
    return added(session, child)


def child_in_term(child: Child, term: Term) -> dict[str, int]:
    """The keys of a row about a child in a term: its school, the child, the term."""
    return {"school_id": child.school_id, "child_id": child.id, "term_id": term.id}


def make_pairing(session: Session, teacher: User, child: Child, term: Term) -> Pairing:
    return added(session, Pairing(teacher_id=teacher.id, **child_in_term(child, term)))


def make_activity_row(
    session: Session, school: School, term: Term, title: str, kind: ActivityType, on: date
) -> Activity:
    """An activity written straight to the table (no classes, no participants)."""
    activity = Activity(
        school_id=school.id, term_id=term.id, title=title, activity_type=kind, activity_date=on
    )
    return added(session, activity)


def actor_of(session: Session, user: User) -> Actor:
    return load_actor(session, user.id)


def make_result(
    session: Session,
    child: Child,
    term: Term,
    subject: str = "语文",
    score: float | None = None,
    grade: LetterGrade | None = None,
) -> TermResult:
    """A term result written straight to the table (percentile left to `rerank`)."""
    result = TermResult(
        **child_in_term(child, term),
        classroom_id=child.classroom_id,
        subject=subject,
        score=score,
        grade=grade,
    )
    return added(session, result)


def make_observation(
    session: Session, child: Child, term: Term, scales: tuple[int, int, int, int] = (3, 3, 3, 3)
) -> GrowthObservation:
    """A 成长观察 written straight to the table: (学习, 情绪, 行为习惯, 生活自理)."""
    study, emotion, habits, self_care = scales
    row = GrowthObservation(
        **child_in_term(child, term),
        study=study,
        emotion=emotion,
        habits=habits,
        self_care=self_care,
    )
    return added(session, row)
