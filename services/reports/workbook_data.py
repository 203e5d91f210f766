"""The lists behind the workbook and the contact cards: roster with contact-card fields, contacts,
participation and pairings of a period, as DataFrames with stable English column names.

Each list is one SQL query over the children every figure counts (services/metrics/scope.py
`children_in_scope`), and a dated list holds the records the figures count (dated in the period,
up to `as_of`), so the sheets add up to the report. Names are NOT masked here;
services/reports/exports.py masks them for masked variants.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Boolean, Date, Enum, String, select, type_coerce
from sqlalchemy.orm import Session, aliased

from db.models import (
    Activity,
    Child,
    Classroom,
    Contact,
    Pairing,
    Participation,
    School,
    Term,
    User,
)
from services.actor import Actor
from services.metrics.pairing import pairing_conditions
from services.metrics.scope import Period, Scope, children_in_scope
from services.scope import school_ids_in_view

# Parts of a contact card, in the order the roster sheet and the import template show them: who
# the child is, and the guardian.
CHILD_FIELDS = ("student_no", "name", "gender", "birth_date", "classroom", "left_behind_type")
GUARDIAN_FIELDS = (
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "guardian_age",
    "guardian_health",
    "guardian_education",
    "lives_with",
)
ROSTER_COLUMNS = [
    "school",
    *CHILD_FIELDS,
    "is_key",
    "father_name",
    "father_phone",
    "father_work_province",
    "father_work_city",
    "father_work_detail",
    "mother_name",
    "mother_phone",
    "mother_work_province",
    "mother_work_city",
    "mother_work_detail",
    *GUARDIAN_FIELDS,
    "village",
    "head_teacher",
    "paired_teachers",
    "archive_date",
]
CONTACT_COLUMNS = [
    "contact_date",
    "child_name",
    "classroom",
    "teacher",
    "channel",
    "counterpart",
    "summary",
    "concerns",
    "follow_up_needed",
    "follow_up_date",
]
PARTICIPATION_COLUMNS = [
    "activity_date",
    "title",
    "activity_type",
    "child_name",
    "classroom",
    "left_behind_type",
    "attended",
    "note",
]
PAIRING_COLUMNS = [
    "term",
    "teacher",
    "child_name",
    "classroom",
    "is_key",
    "start_date",
    "end_date",
    "goal",
]


def _plain(column: Any) -> Any:
    """The column without SQLAlchemy's per-row conversion (dates, enums, flags): on a list of
    100,000 contacts that conversion costs more than the query. `_dates` converts in bulk."""
    if isinstance(column.type, Date | Enum | Boolean):
        return type_coerce(column, String).label(column.key)
    return column


def _dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for name in columns:
        frame[name] = pd.to_datetime(frame[name], errors="coerce").dt.date
    return frame


FETCH_CHUNK = 5_000


def fetched(session: Session, query: Any, columns: list[str]) -> pd.DataFrame:
    """The query's rows as one frame, fetched FETCH_CHUNK rows at a time (yield_per: a
    server-side cursor on PostgreSQL), so a year of contacts never sits in the driver twice."""
    result = session.execute(query.execution_options(yield_per=FETCH_CHUNK))
    rows = [tuple(row) for chunk in result.partitions() for row in chunk]
    return pd.DataFrame(rows, columns=columns)


TRUE_TEXT = {"1": True, "true": True, "t": True, "0": False, "false": False, "f": False}


def _flags(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Flags read as text by `_plain` ("1"/"0" on SQLite, "true"/"false" on PostgreSQL) → bool."""
    for name in columns:
        frame[name] = frame[name].map(
            lambda v: TRUE_TEXT.get(str(v).lower()) if v is not None else None
        )
    return frame


def roster_frame(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Enrolled children with every contact-card field, head teacher and paired teachers."""
    head = aliased(User)
    fields = [getattr(Child, c) for c in ROSTER_COLUMNS if hasattr(Child, c) and c != "name"]
    rows = session.execute(
        select(
            Child.id,
            School.name,
            Child.name,
            Classroom.name,
            head.display_name,
            *fields,
        )
        .join(School, School.id == Child.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .outerjoin(head, head.id == Classroom.head_teacher_id)
        .where(*children_in_scope(session, actor, scope))
        .order_by(School.name, Classroom.grade, Classroom.number, Child.student_no)
    ).all()
    names = ["id", "school", "name", "classroom", "head_teacher", *(f.key for f in fields)]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=names)
    paired = _paired_teachers(session, frame["id"].tolist(), period, as_of)
    frame["paired_teachers"] = [paired.get(i, "") for i in frame["id"]]
    return frame[["id", *ROSTER_COLUMNS]]


def _paired_teachers(
    session: Session, child_ids: list[int], period: Period, as_of: date
) -> dict[int, str]:
    """child id → names of the teachers paired with the child in the period (as coverage)."""
    teachers: dict[int, list[str]] = defaultdict(list)
    for chunk in range(0, len(child_ids), 5000):
        ids = child_ids[chunk : chunk + 5000]
        rows = session.execute(
            select(Pairing.child_id, User.display_name)
            .join(User, User.id == Pairing.teacher_id)
            .join(Term, Term.id == Pairing.term_id)
            .where(Pairing.child_id.in_(ids), *pairing_conditions(period, as_of))
            .order_by(Pairing.child_id, User.display_name)
        )
        for child_id, name in rows:
            if name not in teachers[child_id]:
                teachers[child_id].append(name)
    return {k: "、".join(v) for k, v in teachers.items()}


def contacts_frame(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Contacts logged in the period, newest first."""
    query = (
        select(
            _plain(Contact.contact_date),
            Child.name,
            Classroom.name,
            User.display_name,
            _plain(Contact.channel),
            _plain(Contact.counterpart),
            Contact.summary,
            Contact.concerns,
            _plain(Contact.follow_up_needed),
            _plain(Contact.follow_up_date),
        )
        .join(Child, Child.id == Contact.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .outerjoin(User, User.id == Contact.teacher_id)
        .where(
            *children_in_scope(session, actor, scope),
            # On contacts' own school and date, so the (school_id, contact_date) index is used.
            Contact.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Contact.deleted_at.is_(None),
            Contact.contact_date.between(period.start, period.cut(as_of)),
        )
        .order_by(Contact.contact_date.desc(), Contact.id.desc())
    )
    frame = fetched(session, query, CONTACT_COLUMNS)
    return _flags(_dates(frame, ["contact_date", "follow_up_date"]), ["follow_up_needed"])


def participation_frame(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """One row per child signed in (or marked absent) at an activity of the period."""
    query = (
        select(
            _plain(Activity.activity_date),
            Activity.title,
            _plain(Activity.activity_type),
            Child.name,
            Classroom.name,
            _plain(Child.left_behind_type),
            _plain(Participation.attended),
            Participation.note,
        )
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Child, Child.id == Participation.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            *children_in_scope(session, actor, scope),
            Activity.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Participation.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
            Activity.activity_date.between(period.start, period.cut(as_of)),
        )
        .order_by(Activity.activity_date.desc(), Activity.id, Classroom.grade, Child.student_no)
    )
    frame = fetched(session, query, PARTICIPATION_COLUMNS)
    return _flags(_dates(frame, ["activity_date"]), ["attended"])


def pairings_frame(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Teacher–child pairings that count in the period (services/metrics/pairing.py)."""
    query = (
        select(
            Term.name,
            User.display_name,
            Child.name,
            Classroom.name,
            Child.is_key,
            Pairing.start_date,
            Pairing.end_date,
            Pairing.goal,
        )
        .join(Term, Term.id == Pairing.term_id)
        .join(User, User.id == Pairing.teacher_id)
        .join(Child, Child.id == Pairing.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*children_in_scope(session, actor, scope), *pairing_conditions(period, as_of))
        .order_by(Term.start_date, User.display_name, Classroom.grade, Child.student_no)
    )
    return fetched(session, query, PAIRING_COLUMNS)
