"""Care activities (关爱活动): the school's list with classes and attendance, and the grid's saves.

Activities are created and edited by the principal and the admin (columns in
services/care/activity_columns.py); head teachers see those of their classes and sign them in
(services/care/signin_sheet.py). Attendance is never typed in: it is the number of
Participation rows with `attended` true and not deleted, one per ticked child.
Over 300 lines because the grid save also keeps each activity's classes and term in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import ActivityType, AuditAction, LeftBehindType, Role
from db.models import Activity, ActivityClassroom, Child, Classroom, Participation, Term
from locales import t
from services import audit, permissions
from services.actor import Actor
from services.care.activity_columns import activity_specs
from services.care.participation_counts import attended_condition
from services.errors import ConflictError, NotAllowed, NotFound, ValidationFailed
from services.permissions import Action
from services.records.grid_rows import (
    GridChanges,
    Page,
    RowDelete,
    RowInsert,
    RowUpdate,
    SaveResult,
)
from services.records.specs import ColumnSpec, check_changes
from services.rows import create_row, find_conflicts, soft_delete_row, update_row

VIEWER_ROLES = permissions.roles_with(Action.VIEW_ACTIVITIES)
EDITOR_ROLES = permissions.roles_with(Action.EDIT_ACTIVITIES)  # the page hides the editor

ACTIVITY_COLUMNS = [
    "id",
    "version",
    "title",
    "activity_type",
    "activity_date",
    "place",
    "organiser",
    "description",
    "classroom_ids",
    "classes",
    "attended",
    "attended_left_behind",
]


@dataclass
class ActivityInput:
    """What a user edits on one activity. `id`/`version` are set for existing rows."""

    title: str
    activity_type: ActivityType | str
    activity_date: date | None
    place: str | None = None
    organiser: str | None = None
    description: str | None = None
    classroom_ids: list[int] = field(default_factory=list)
    id: int | None = None
    version: int | None = None


def _school_id(actor: Actor) -> int:
    if actor.school_id is None:
        raise NotAllowed("no school")
    return actor.school_id


def classroom_names(session: Session, school_id: int) -> dict[int, str]:
    """id → name of the school's classes, by grade and number."""
    rows = session.execute(
        select(Classroom.id, Classroom.name)
        .where(Classroom.school_id == school_id, Classroom.deleted_at.is_(None))
        .order_by(Classroom.grade, Classroom.number)
    )
    return {cid: name for cid, name in rows}


def classroom_options(session: Session, actor: Actor) -> dict[int, str]:
    """Classes the actor works with here: all of the school, or a head teacher's own."""
    permissions.require(actor, Action.VIEW_ACTIVITIES)
    names = classroom_names(session, _school_id(actor))
    if actor.role == Role.HEAD_TEACHER:
        return {cid: n for cid, n in names.items() if cid in actor.head_of_classroom_ids}
    return names


def list_activities(
    session: Session,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    activity_type: ActivityType | None = None,
) -> pd.DataFrame:
    """Activities of the school, newest first, with classes and attendance counts.

    A head teacher sees the activities involving his or her classes.
    """
    permissions.require(actor, Action.VIEW_ACTIVITIES)
    school_id = _school_id(actor)
    query = select(Activity).where(Activity.school_id == school_id, Activity.deleted_at.is_(None))
    if date_from:
        query = query.where(Activity.activity_date >= date_from)
    if date_to:
        query = query.where(Activity.activity_date <= date_to)
    if activity_type:
        query = query.where(Activity.activity_type == activity_type)
    if actor.role == Role.HEAD_TEACHER:
        mine = select(ActivityClassroom.activity_id).where(
            ActivityClassroom.classroom_id.in_(actor.head_of_classroom_ids or [-1])
        )
        query = query.where(Activity.id.in_(mine))
    activities = session.scalars(query.order_by(Activity.activity_date.desc(), Activity.id)).all()
    ids = [a.id for a in activities] or [-1]
    names = classroom_names(session, school_id)
    classes: dict[int, list[int]] = {}
    for activity_id, classroom_id in session.execute(
        select(ActivityClassroom.activity_id, ActivityClassroom.classroom_id).where(
            ActivityClassroom.activity_id.in_(ids)
        )
    ):
        classes.setdefault(activity_id, []).append(classroom_id)
    counts = attendance_counts(session, ids)
    rows = []
    for a in activities:
        room_ids = [c for c in names if c in set(classes.get(a.id, []))]
        total, left_behind = counts.get(a.id, (0, 0))
        rows.append(
            {
                "id": a.id,
                "version": a.version,
                "title": a.title,
                "activity_type": ActivityType(a.activity_type).value,
                "activity_date": a.activity_date,
                "place": a.place,
                "organiser": a.organiser,
                "description": a.description,
                "classroom_ids": room_ids,
                "classes": [names[c] for c in room_ids],
                "attended": total,
                "attended_left_behind": left_behind,
            }
        )
    return pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)


def attendance_counts(session: Session, activity_ids: list[int]) -> dict[int, tuple[int, int]]:
    """activity id → (children attended, of them left-behind), from Participation rows."""
    is_left_behind = case((Child.left_behind_type != LeftBehindType.NONE, 1), else_=0)
    rows = session.execute(
        select(Participation.activity_id, func.count(Participation.id), func.sum(is_left_behind))
        .join(Child, Child.id == Participation.child_id)
        .where(Participation.activity_id.in_(activity_ids or [-1]), attended_condition())
        .group_by(Participation.activity_id)
    )
    return {aid: (int(total), int(lb or 0)) for aid, total, lb in rows}


def _term_for(session: Session, school_id: int, day: date) -> int | None:
    return session.scalar(
        select(Term.id).where(
            Term.school_id == school_id,
            Term.deleted_at.is_(None),
            Term.start_date <= day,
            Term.end_date >= day,
        )
    )


def specs_for(session: Session, actor: Actor) -> list[ColumnSpec]:
    """activity_specs with the actor's school's classes."""
    return activity_specs(list(classroom_names(session, _school_id(actor)).values()))


def load_activities_page(
    session: Session,
    actor: Actor,
    offset: int,
    limit: int,
    date_from: date | None = None,
    date_to: date | None = None,
    activity_type: ActivityType | None = None,
) -> Page:
    """One page of list_activities for the grid."""
    frame = list_activities(session, actor, date_from, date_to, activity_type)
    return Page(frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame))


def load_activity_rows(session: Session, actor: Actor, ids: list[int]) -> pd.DataFrame:
    """The current rows of some activities (for the grid's "reload this row")."""
    frame = list_activities(session, actor)
    return frame[frame["id"].isin(ids)].reset_index(drop=True)


def save_activity_changes(session: Session, actor: Actor, changes: GridChanges) -> SaveResult:
    """Write the grid's changes in one go: all rows are checked first, and any problem
    (ValidationFailed) or stale row (ConflictError) means nothing is written."""
    _check_and_write(session, actor, changes)
    return SaveResult(len(changes.inserts), len(changes.updates), len(changes.deletes))


def _check_and_write(session: Session, actor: Actor, changes: GridChanges) -> list[int]:
    permissions.require(actor, Action.EDIT_ACTIVITIES)
    school_id = _school_id(actor)
    room_ids = {name: cid for cid, name in classroom_names(session, school_id).items()}
    problems = check_changes(activity_specs(list(room_ids)), actor, changes)
    if problems:
        raise ValidationFailed(problems)
    for row in [*changes.updates, *changes.deletes]:
        _load_for_edit(session, school_id, row.id)
    conflicts = find_conflicts(session, Activity, [*changes.updates, *changes.deletes])
    if conflicts:
        raise ConflictError(conflicts)
    return _write(session, actor, school_id, room_ids, changes)


def _write(
    session: Session, actor: Actor, school_id: int, room_ids: dict[str, int], changes: GridChanges
) -> list[int]:
    """Apply checked changes; returns the ids of the created activities."""
    created = []
    for update in changes.updates:
        activity = _load_for_edit(session, school_id, update.id)
        values = dict(update.values)
        classes = values.pop("classes", None)
        if "activity_date" in values:
            values["term_id"] = _term_for(session, school_id, values["activity_date"])
        if classes is not None:
            values["updated_at"] = utcnow()  # bump the version: the classes are part of the row
        if values:
            update_row(session, actor, activity, update.version, values, update.label)
        if classes is not None:
            _set_classrooms(session, actor, activity, [room_ids[n] for n in classes])
    for insert in changes.inserts:
        values = dict(insert.values)
        classes = values.pop("classes", None) or []
        activity = Activity(school_id=school_id, **values)
        activity.term_id = _term_for(session, school_id, activity.activity_date)
        create_row(session, actor, activity)
        _set_classrooms(session, actor, activity, [room_ids[n] for n in classes])
        created.append(activity.id)
    for delete in changes.deletes:
        activity = _load_for_edit(session, school_id, delete.id)
        soft_delete_row(session, actor, activity, delete.version, delete.label)
    return created


def save_activities(
    session: Session,
    actor: Actor,
    items: list[ActivityInput],
    deleted: list[tuple[int, int]] | None = None,
) -> list[int]:
    """save_activity_changes for callers holding whole rows (seed data, tests); returns ids."""
    names = classroom_names(session, _school_id(actor))
    changes = GridChanges()
    for n, item in enumerate(items, start=1):
        values = {
            "title": item.title,
            "activity_type": item.activity_type,
            "activity_date": item.activity_date,
            "place": item.place,
            "organiser": item.organiser,
            "description": item.description,
            "classes": [names.get(c, str(c)) for c in item.classroom_ids],
        }
        label = (item.title or "").strip() or t("grid.row_n", n=n)
        if item.id is None:
            changes.inserts.append(RowInsert(label, values))
        else:
            changes.updates.append(RowUpdate(item.id, item.version or 0, label, values))
    changes.deletes = [RowDelete(i, v, str(i)) for i, v in deleted or []]
    created = iter(_check_and_write(session, actor, changes))
    return [item.id if item.id is not None else next(created) for item in items]


def _load_for_edit(session: Session, school_id: int, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("activity")
    if activity.school_id != school_id:
        raise NotAllowed("other school")
    return activity


def involved_classrooms(session: Session, activity_id: int) -> list[int]:
    """Ids of the classes an activity involves."""
    return sorted(
        session.scalars(
            select(ActivityClassroom.classroom_id).where(
                ActivityClassroom.activity_id == activity_id
            )
        )
    )


def _set_classrooms(
    session: Session, actor: Actor, activity: Activity, classroom_ids: list[int]
) -> None:
    """Make the involved classes exactly `classroom_ids`; audited when they change."""
    wanted = set(classroom_ids)
    rows = session.scalars(
        select(ActivityClassroom).where(ActivityClassroom.activity_id == activity.id)
    ).all()
    have = {row.classroom_id for row in rows}
    if have == wanted:
        return
    for row in rows:
        if row.classroom_id not in wanted:
            session.delete(row)
    for classroom_id in sorted(wanted - have):
        session.add(
            ActivityClassroom(
                school_id=activity.school_id,
                activity_id=activity.id,
                classroom_id=classroom_id,
                created_by=actor.user_id,
                updated_by=actor.user_id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "activity_classrooms",
        activity.id,
        {"classroom_ids": sorted(have)},
        {"classroom_ids": sorted(wanted)},
    )
