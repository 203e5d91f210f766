"""Due rows: one SELECT row per due (child, rule, period), with its teacher and whether it is met.

A (child, rule, period) is due when the period has started, the child belongs to the rule (a
left-behind child, or a key child for key-only rules) and was on the books for the whole period:
it joined (services/enrolment.py: its enrolment date, else the day its record was made, as after an
import) on or before the period's first day, and had not left before its last. So a roster imported
on 15 November owes nothing for October or November (it is 新建档) and is first due in December. The
responsible teacher is the class's head teacher, or for paired-teacher rules the child's paired
teacher of that term (the head teacher when the child has no pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from db.enums import Cadence, EnrolmentStatus, LeftBehindType, RuleWho
from db.models import Child, Classroom, Pairing
from services.actor import Actor
from services.compliance.met_exists import met_exists
from services.compliance.met_summaries import met_summaries
from services.compliance.rule_periods import as_date, rule_period_rows, values_table
from services.enrolment import joined_after
from services.scope import child_visibility, school_ids_in_view

# Where "met" is computed from grouped per-child summaries (bit_or, PostgreSQL only) instead
# of one correlated index look-up per due row; both give the same answer (tests run both).
SET_BASED_DIALECTS = frozenset({"postgresql"})


@dataclass(frozen=True)
class DueQuery:
    """Which due rows to select: periods overlapping [start, end] that began by `as_of`, narrowed
    by the optional filters; `with_teacher` adds the paired-teacher look-up."""

    start: date
    end: date
    as_of: date
    grade: int | None = None
    classroom_id: int | None = None
    teacher_id: int | None = None
    child_id: int | None = None
    school_id: int | None = None
    with_teacher: bool = True
    cadence: Cadence | None = None  # only the rules of this cadence (e.g. the term phases)


def due_rows(session: Session, actor: Actor, query: DueQuery) -> Select | None:
    """The SELECT of one row per due (child, rule, period) with `met`, or None if nothing is due.

    Columns: school_id, term_id, rule_id, month, period_start, period_end, closed, child_id,
    classroom_id, grade, teacher_id, met (1/0)."""
    school_ids = school_ids_in_view(session, actor)
    if query.school_id is not None:
        school_ids = [s for s in school_ids if s == query.school_id]
    rows = rule_period_rows(session, school_ids, query.start, query.end, query.as_of, query.cadence)
    if not rows:
        return None
    rp = values_table(rows)
    p_start, p_end = as_date(session, rp.c.p_start), as_date(session, rp.c.p_end)

    summaries = None
    if session.get_bind().dialect.name in SET_BASED_DIALECTS:
        summaries = met_summaries(session, rp, school_ids, rows, query.child_id)
        met = summaries.met
    else:
        met = met_exists(rp, p_start, p_end)
    teacher = Classroom.head_teacher_id
    if query.with_teacher or query.teacher_id is not None:
        teacher = _responsible_teacher(rp, p_start, p_end)
    belongs = case(
        (rp.c.key_only == 1, Child.is_key.is_(True)),
        else_=Child.left_behind_type != LeftBehindType.NONE.value,
    )
    select_due = (
        select(
            rp.c.school_id,
            rp.c.term_id,
            rp.c.rule_id,
            rp.c.month,
            rp.c.p_start.label("period_start"),
            rp.c.p_end.label("period_end"),
            rp.c.closed,
            Child.id.label("child_id"),
            Child.classroom_id.label("classroom_id"),
            Classroom.grade.label("grade"),
            teacher.label("teacher_id"),
            met.label("met"),
        )
        .select_from(rp)
        .join(Child, Child.school_id == rp.c.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            Child.deleted_at.is_(None),
            child_visibility(actor),
            belongs,
            _joined_by_start(p_start, sorted({row.p_start for row in rows})),
            or_(Child.left_on.is_(None), Child.left_on >= p_end),
            or_(
                Child.enrolment_status == EnrolmentStatus.ENROLLED.value,
                Child.left_on.is_not(None),
            ),
        )
    )
    if summaries is not None:
        select_due = summaries.join(select_due)
    return _filtered(select_due, query, teacher)


def _joined_by(day: date) -> ColumnElement[bool]:
    """The child had joined by the end of `day` (services/enrolment.py)."""
    return func.coalesce(joined_after(day), false()).is_(false())


def _joined_by_start(p_start: Any, starts: Sequence[date]) -> ColumnElement[bool]:
    """The child had joined by the row's period start (`p_start`, one of `starts`).

    Joining is a date known only to services/enrolment.py, in Python, so it is asked once per
    distinct period start (a few dozen); a child on the books before the first of them (nearly
    every child) is settled by the first test alone."""
    return or_(
        _joined_by(starts[0]),
        *(and_(p_start == day, _joined_by(day)) for day in starts[1:]),
    )


def _responsible_teacher(rp: Any, p_start: Any, p_end: Any) -> Any:
    """The paired teacher of that term for paired-teacher rules, else the head teacher."""
    paired = (
        select(func.min(Pairing.teacher_id))
        .where(
            Pairing.child_id == Child.id,
            Pairing.term_id == rp.c.term_id,
            Pairing.deleted_at.is_(None),
            or_(Pairing.start_date.is_(None), Pairing.start_date <= p_end),
            or_(Pairing.end_date.is_(None), Pairing.end_date >= p_start),
        )
        .scalar_subquery()
    )
    return case(
        (
            rp.c.who == RuleWho.PAIRED_TEACHER.value,
            func.coalesce(paired, Classroom.head_teacher_id),
        ),
        else_=Classroom.head_teacher_id,
    )


def _filtered(select_due: Select, query: DueQuery, teacher: Any) -> Select:
    if query.grade is not None:
        select_due = select_due.where(Classroom.grade == query.grade)
    if query.classroom_id is not None:
        select_due = select_due.where(Child.classroom_id == query.classroom_id)
    if query.child_id is not None:
        select_due = select_due.where(Child.id == query.child_id)
    if query.teacher_id is not None:
        select_due = select_due.where(teacher == query.teacher_id)
    return select_due
