"""Participation in care activities: left-behind children vs the others ("活动上优先参加").

Public API for metrics and reports; the counting blocks are services/care/participation_counts.py.
Every function takes `(session, actor, date_from=None, date_to=None)` — an inclusive date period
on the activity date, open when None; `term_period(session, actor, term_id)` turns a term into
one (`terms_in_view`, `current_term_id` help pick it). Counts are SQL aggregates over the
children the actor may see (`child_visibility`), i.e. the school, a head teacher's own classes,
or the bureau's county. "Took part" means an attended, not deleted Participation row
(`attended_condition()`). Children are the enrolled, not deleted ones, grouped by their current
left-behind type (NONE = other). A rate is participants / children of the group, 0.0 when the
group is empty. Columns never change:

participation_by_activity → BY_ACTIVITY_COLUMNS, one row per activity, newest first:
    activity_id, title, activity_type (value), activity_date,
    left_behind_eligible, left_behind_attended, left_behind_rate,
    other_eligible, other_attended, other_rate
    eligible = enrolled children of the classes involved (the whole school when none is named),
    plus any attendee from outside them; rate = attended / eligible.
participation_by_type → BY_TYPE_COLUMNS, one row per ActivityType that had activities:
    activity_type, activities, attendances, left_behind_children, left_behind_participants,
    left_behind_rate, other_children, other_participants, other_rate
    participants = children who took part in at least one activity of that type in the period.
participation_by_class → BY_CLASS_COLUMNS, one row per class (grade, number order):
    classroom_id, classroom, grade, activities, attendances, left_behind_children,
    left_behind_participants, left_behind_rate, other_children, other_participants, other_rate
    activities = activities in the period that involved the class.
participation_summary → BY_TERM_COLUMNS without the term columns, one row for the period.
participation_by_term → BY_TERM_COLUMNS, one row per term of the school(s) in view:
    school_id, term_id, term, start_date, end_date, activities, attendances,
    left_behind_children, left_behind_participants, left_behind_rate,
    other_children, other_participants, other_rate
left_behind_without_activity → WITHOUT_ACTIVITY_COLUMNS, enrolled left-behind children with no
    activity in the period: child_id, name, student_no, classroom_id, classroom, grade,
    left_behind_type (value), is_key. Names are not masked here; mask for display (§7).
Over 300 lines: one contract (this docstring) for the frames the page, metrics and reports share.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import ActivityType, LeftBehindType
from db.models import Activity, ActivityClassroom, Child, Classroom, Participation, Term
from services.actor import Actor
from services.care.participation_counts import (
    activities_in_view,
    attended_by_activity,
    attended_condition,
    children_counts,
    children_in_view,
    eligible_by_activity,
    group_figures,
    participant_counts,
    rate,
)
from services.errors import NotAllowed, NotFound
from services.scope import school_ids_in_view

_GROUP = [
    "left_behind_children",
    "left_behind_participants",
    "left_behind_rate",
    "other_children",
    "other_participants",
    "other_rate",
]
BY_ACTIVITY_COLUMNS = [
    "activity_id",
    "title",
    "activity_type",
    "activity_date",
    "left_behind_eligible",
    "left_behind_attended",
    "left_behind_rate",
    "other_eligible",
    "other_attended",
    "other_rate",
]
BY_TYPE_COLUMNS = ["activity_type", "activities", "attendances", *_GROUP]
BY_CLASS_COLUMNS = ["classroom_id", "classroom", "grade", "activities", "attendances", *_GROUP]
SUMMARY_COLUMNS = ["activities", "attendances", *_GROUP]
BY_TERM_COLUMNS = ["school_id", "term_id", "term", "start_date", "end_date", *SUMMARY_COLUMNS]
WITHOUT_ACTIVITY_COLUMNS = [
    "child_id",
    "name",
    "student_no",
    "classroom_id",
    "classroom",
    "grade",
    "left_behind_type",
    "is_key",
]


def term_period(session: Session, actor: Actor, term_id: int) -> tuple[date, date]:
    """(start, end) of a term of the actor's school(s)."""
    term = session.get(Term, term_id)
    if term is None or term.deleted_at is not None:
        raise NotFound("term")
    if term.school_id not in school_ids_in_view(session, actor):
        raise NotAllowed("other school")
    return term.start_date, term.end_date


def terms_in_view(session: Session, actor: Actor) -> dict[int, str]:
    """id → name of the actor's school's terms, newest first (for term pickers)."""
    rows = session.execute(
        select(Term.id, Term.name)
        .where(Term.school_id == actor.school_id, Term.deleted_at.is_(None))
        .order_by(Term.start_date.desc())
    )
    return {tid: name for tid, name in rows}


def current_term_id(session: Session, actor: Actor, today: date) -> int | None:
    """The actor's school's term containing `today`, else the latest before it, else None."""
    return session.scalar(
        select(Term.id)
        .where(
            Term.school_id == actor.school_id,
            Term.deleted_at.is_(None),
            Term.start_date <= today,
        )
        .order_by(Term.start_date.desc())
        .limit(1)
    )


def participation_by_type(
    session: Session,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    children: tuple = (),
    counts: tuple[dict, dict] | None = None,
) -> pd.DataFrame:
    """Reach of each activity type among left-behind and other children (see module doc);
    `children`: extra conditions on Child (a grade or class, services/metrics/scope.py);
    `counts`: participant_counts' answer if the caller has it (the county facts)."""
    activities = dict(
        session.execute(
            select(Activity.activity_type, func.count(Activity.id))
            .where(*activities_in_view(session, actor, date_from, date_to))
            .group_by(Activity.activity_type)
        ).all()
    )
    totals = children_counts(session, actor, None, children)
    participants, attendances = counts or participant_counts(
        session, actor, Activity.activity_type, date_from, date_to, children
    )
    rows = []
    for member in ActivityType:
        if not activities.get(member):
            continue
        figures = group_figures(
            {(member, lb): n for (_, lb), n in totals.items()}, participants, member
        )
        rows.append(
            {
                "activity_type": member.value,
                "activities": int(activities[member]),
                "attendances": attendances.get(member, 0),
                **figures,
            }
        )
    return pd.DataFrame(rows, columns=BY_TYPE_COLUMNS)


def participation_by_class(
    session: Session, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> pd.DataFrame:
    """Reach of activities in each class in view (see module doc)."""
    children = children_counts(session, actor, Child.classroom_id)
    participants, attendances = participant_counts(
        session, actor, Child.classroom_id, date_from, date_to
    )
    room_ids = {k for k, _ in children} - {None}
    rooms = session.execute(
        select(Classroom.id, Classroom.name, Classroom.grade)
        .where(Classroom.id.in_(room_ids or [-1]))
        .order_by(Classroom.school_id, Classroom.grade, Classroom.number)
    ).all()
    involved = dict(
        session.execute(
            select(ActivityClassroom.classroom_id, func.count(func.distinct(Activity.id)))
            .join(Activity, Activity.id == ActivityClassroom.activity_id)
            .where(
                ActivityClassroom.classroom_id.in_(room_ids or [-1]),
                *activities_in_view(session, actor, date_from, date_to),
            )
            .group_by(ActivityClassroom.classroom_id)
        ).all()
    )
    rows = [
        {
            "classroom_id": room.id,
            "classroom": room.name,
            "grade": room.grade,
            "activities": int(involved.get(room.id, 0)),
            "attendances": attendances.get(room.id, 0),
            **group_figures(children, participants, room.id),
        }
        for room in rooms
    ]
    return pd.DataFrame(rows, columns=BY_CLASS_COLUMNS)


def participation_summary(
    session: Session,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    children: tuple = (),
    counts: tuple[dict, dict] | None = None,
) -> pd.DataFrame:
    """One row: activities, attendances and reach of the period over everyone in view (or the
    `children` conditions and `counts`, as participation_by_type)."""
    totals = children_counts(session, actor, None, children)
    participants, attendances = counts or participant_counts(
        session, actor, None, date_from, date_to, children
    )
    activities = session.scalar(
        select(func.count(Activity.id)).where(
            *activities_in_view(session, actor, date_from, date_to)
        )
    )
    row = {
        "activities": int(activities or 0),
        "attendances": sum(attendances.values()),
        **group_figures(totals, participants, None),
    }
    return pd.DataFrame([row], columns=SUMMARY_COLUMNS)


def participation_by_term(session: Session, actor: Actor) -> pd.DataFrame:
    """participation_summary for each term of the school(s) in view, oldest first."""
    terms = session.execute(
        select(Term.school_id, Term.id, Term.name, Term.start_date, Term.end_date)
        .where(
            Term.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Term.deleted_at.is_(None),
        )
        .order_by(Term.start_date, Term.school_id)
    ).all()
    rows = []
    for school_id, term_id, name, start, end in terms:
        summary = participation_summary(session, actor, start, end).to_dict("records")[0]
        rows.append(
            {
                "school_id": school_id,
                "term_id": term_id,
                "term": name,
                "start_date": start,
                "end_date": end,
                **summary,
            }
        )
    return pd.DataFrame(rows, columns=BY_TERM_COLUMNS)


def participation_by_activity(
    session: Session, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> pd.DataFrame:
    """Attendance rate of left-behind vs other children at each activity (see module doc)."""
    activities = session.execute(
        select(
            Activity.id,
            Activity.school_id,
            Activity.title,
            Activity.activity_type,
            Activity.activity_date,
        )
        .where(*activities_in_view(session, actor, date_from, date_to))
        .order_by(Activity.activity_date.desc(), Activity.id)
    ).all()
    ids = [a.id for a in activities] or [-1]
    eligible = eligible_by_activity(session, actor, ids)
    whole_school = children_counts(session, actor, Child.school_id)
    with_classes = set(
        session.scalars(
            select(ActivityClassroom.activity_id).where(ActivityClassroom.activity_id.in_(ids))
        )
    )
    attended = attended_by_activity(session, actor, ids, with_classes)
    rows = []
    for a in activities:
        row: dict[str, Any] = {
            "activity_id": a.id,
            "title": a.title,
            "activity_type": ActivityType(a.activity_type).value,
            "activity_date": a.activity_date,
        }
        for lb, prefix in ((1, "left_behind"), (0, "other")):
            base = eligible if a.id in with_classes else whole_school
            base_key = (a.id, lb) if a.id in with_classes else (a.school_id, lb)
            came, outside = attended.get((a.id, lb), (0, 0))
            invited = base.get(base_key, 0) + outside
            row |= {
                f"{prefix}_eligible": invited,
                f"{prefix}_attended": came,
                f"{prefix}_rate": rate(came, invited),
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=BY_ACTIVITY_COLUMNS)


def left_behind_without_activity(
    session: Session, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> pd.DataFrame:
    """Enrolled left-behind children in view who took part in nothing during the period."""
    took_part = (
        select(Participation.child_id)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(attended_condition(), *activities_in_view(session, actor, date_from, date_to))
    )
    rows = session.execute(
        select(
            Child.id,
            Child.name,
            Child.student_no,
            Child.classroom_id,
            Classroom.name,
            Classroom.grade,
            Child.left_behind_type,
            Child.is_key,
        )
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            *children_in_view(actor),
            Child.left_behind_type != LeftBehindType.NONE,
            Child.id.not_in(took_part),
        )
        .order_by(Classroom.grade, Classroom.number, Child.student_no)
    ).all()
    data = [
        {
            "child_id": r[0],
            "name": r[1],
            "student_no": r[2],
            "classroom_id": r[3],
            "classroom": r[4],
            "grade": r[5],
            "left_behind_type": LeftBehindType(r[6]).value,
            "is_key": bool(r[7]),
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=WITHOUT_ACTIVITY_COLUMNS)
