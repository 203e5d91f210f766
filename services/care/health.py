"""Health checks (体检): batch entry per class, coverage per class, a child's history.

The batch grid has one row per enrolled child of a class; its `id` is the CHILD's id and its
`version` the version of that child's check in the chosen period (0 = no check yet), so the
shared grid's optimistic locking works for both new and existing checks. Which values are
impossible or worrying is services/care/health_rules.py.
Over 300 lines: entry, coverage and history are the health screen's reads and writes of one table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.models import Child, Classroom, HealthCheck
from locales import enum_label, t
from services import permissions
from services.actor import Actor
from services.care.health_rules import (
    LOW_VISION,
    MEASURES,
    bmi,
    health_flags,
    limit_validator,
    row_problems,
)
from services.errors import Conflict, ConflictError, NotAllowed, ValidationFailed
from services.permissions import Action
from services.records.grid_rows import GridChanges, Page, SaveResult
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    check_changes,
    not_in_future,
    read_only_columns,
)
from services.rows import conflict_for, create_row, update_row
from services.scope import child_visibility, ensure_child_visible

EDITOR_ROLES = permissions.roles_with(Action.EDIT_HEALTH)
HISTORY_COLUMNS = ["check_id", "check_date", *MEASURES[:2], "bmi", *MEASURES[2:], "notes", "flags"]
COVERAGE_COLUMNS = [
    "classroom_id",
    "classroom",
    "grade",
    "children",
    "checked",
    "coverage",
    "left_behind_children",
    "left_behind_checked",
    "low_vision",
]


def health_specs() -> list[ColumnSpec]:
    """Grid columns of the batch entry (name, left-behind and flags are read-only)."""
    editors = frozenset(EDITOR_ROLES)

    def measure(name: str, kind: ColumnType) -> ColumnSpec:
        return ColumnSpec(
            name,
            f"health.col.{name}",
            kind,
            validator=limit_validator(name),
            edit_roles=editors,
        )  # the grid widens each to its header (ColumnSpec.display_width)

    return [
        *read_only_columns("health", {"name": 90, "left_behind": 80}),
        ColumnSpec(
            "check_date",
            "health.col.check_date",
            ColumnType.DATE,
            validator=not_in_future,
            edit_roles=editors,
        ),
        measure("height_cm", ColumnType.FLOAT),
        measure("weight_kg", ColumnType.FLOAT),
        measure("vision_left", ColumnType.FLOAT),
        measure("vision_right", ColumnType.FLOAT),
        measure("bp_systolic", ColumnType.INT),
        measure("bp_diastolic", ColumnType.INT),
        measure("lung_capacity_ml", ColumnType.INT),
        ColumnSpec("notes", "health.col.notes", edit_roles=editors, width=160),
        ColumnSpec("flags", "health.col.flags", computed=True, width=160),
    ]


# ---- batch entry ------------------------------------------------------------------------------


def _classroom_for(session: Session, actor: Actor, classroom_id: int) -> Classroom:
    permissions.require(actor, Action.EDIT_HEALTH)
    room = session.get(Classroom, classroom_id)
    if room is None or room.deleted_at is not None or room.school_id != actor.school_id:
        raise NotAllowed("classroom outside the school")
    if actor.role == Role.HEAD_TEACHER and classroom_id not in actor.head_of_classroom_ids:
        raise NotAllowed("not the actor's class")
    return room


def health_classrooms(session: Session, actor: Actor) -> dict[int, str]:
    """Classes whose checks the actor may enter: the school's, or a head teacher's own."""
    permissions.require(actor, Action.EDIT_HEALTH)
    query = select(Classroom.id, Classroom.name).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if actor.role == Role.HEAD_TEACHER:
        query = query.where(Classroom.id.in_(actor.head_of_classroom_ids or [-1]))
    rows = session.execute(query.order_by(Classroom.grade, Classroom.number))
    return {cid: name for cid, name in rows}


def _latest_checks(
    session: Session, child_ids: list[int], date_from: date, date_to: date
) -> dict[int, HealthCheck]:
    """child id → the child's latest check in the period."""
    checks = session.scalars(
        select(HealthCheck)
        .where(
            HealthCheck.child_id.in_(child_ids or [-1]),
            HealthCheck.deleted_at.is_(None),
            HealthCheck.check_date.between(date_from, date_to),
        )
        .order_by(HealthCheck.check_date, HealthCheck.id)
    )
    return {c.child_id: c for c in checks}


def class_health_frame(
    session: Session, actor: Actor, classroom_id: int, date_from: date, date_to: date
) -> pd.DataFrame:
    """One row per enrolled child of the class: id (child), version (0 = no check), values."""
    _classroom_for(session, actor, classroom_id)
    children = session.execute(
        select(Child.id, Child.name, Child.left_behind_type)
        .where(
            Child.classroom_id == classroom_id,
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
        .order_by(Child.student_no)
    ).all()
    checks = _latest_checks(session, [c.id for c in children], date_from, date_to)
    rows = []
    for child in children:
        check = checks.get(child.id)
        values = {m: getattr(check, m) if check else None for m in MEASURES}
        flags = health_flags(values)
        rows.append(
            {
                "id": child.id,
                "version": check.version if check else 0,
                "name": child.name,
                "left_behind": enum_label(LeftBehindType(child.left_behind_type)),
                "check_date": check.check_date if check else None,
                **values,
                "notes": check.notes if check else None,
                "flags": "、".join(t(f"health.flag.{f}") for f in flags),
            }
        )
    columns = ["id", "version", "name", "left_behind", "check_date", *MEASURES, "notes", "flags"]
    return pd.DataFrame(rows, columns=columns)


def load_class_health_page(
    session: Session,
    actor: Actor,
    offset: int,
    limit: int,
    classroom_id: int,
    date_from: date,
    date_to: date,
) -> Page:
    frame = class_health_frame(session, actor, classroom_id, date_from, date_to)
    return Page(frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame))


def save_class_health(
    session: Session,
    actor: Actor,
    changes: GridChanges,
    classroom_id: int,
    date_from: date,
    date_to: date,
    default_date: date,
) -> SaveResult:
    """Write the batch grid's changes: a check per edited child (created or updated).

    Every value is checked first; any impossible value raises ValidationFailed naming the
    child, the column, the value and the reason, and nothing is written.
    """
    _classroom_for(session, actor, classroom_id)
    if changes.inserts or changes.deletes:
        raise NotAllowed("the batch grid only edits the class roster")
    specs = health_specs()
    problems = check_changes(specs, actor, changes)
    room_children = set(
        session.scalars(
            select(Child.id).where(Child.classroom_id == classroom_id, Child.deleted_at.is_(None))
        )
    )
    if not {u.id for u in changes.updates} <= room_children:
        raise NotAllowed("child outside the class")
    checks = _latest_checks(session, [u.id for u in changes.updates], date_from, date_to)
    by_field = {s.field: s for s in specs}
    for update in changes.updates:
        problems += row_problems(update.label, update.values, checks.get(update.id), by_field)
    if problems:
        raise ValidationFailed(problems)
    conflicts = []
    for update in changes.updates:
        check = checks.get(update.id)
        if (check.version if check else 0) != update.version:
            conflicts.append(
                conflict_for(session, check, update.label)
                if check
                else _gone(update.id, update.label)
            )
    if conflicts:
        raise ConflictError(conflicts)
    created = updated = 0
    for update in changes.updates:
        check = checks.get(update.id)
        if update.values.get("check_date", date.min) is None:
            update.values.pop("check_date")  # a cleared date keeps the stored one
        if check is not None:
            update_row(session, actor, check, update.version, update.values, update.label)
            updated += 1
        else:
            values = dict(update.values)
            values["check_date"] = values.get("check_date") or default_date
            create_row(
                session,
                actor,
                HealthCheck(school_id=actor.school_id, child_id=update.id, **values),
            )
            created += 1
    return SaveResult(created=created, updated=updated)


def _gone(child_id: int, label: str) -> Conflict:
    return Conflict(row=label, entity_id=child_id, changed_by=None, changed_at=None)


# ---- coverage and history ---------------------------------------------------------------------


def health_coverage(session: Session, actor: Actor, date_from: date, date_to: date) -> pd.DataFrame:
    """Per class in view: enrolled children, children checked in the period, coverage, of them
    left-behind, and children whose worse eye is below 5.0 (COVERAGE_COLUMNS)."""
    if actor.role == Role.TEACHER:  # the bureau gets these counts: aggregates, no child
        raise NotAllowed("health coverage")
    in_period = (
        select(HealthCheck.child_id)
        .where(
            HealthCheck.deleted_at.is_(None),
            HealthCheck.check_date.between(date_from, date_to),
        )
        .distinct()
    )
    low = in_period.where(
        (HealthCheck.vision_left < LOW_VISION) | (HealthCheck.vision_right < LOW_VISION)
    )
    is_lb = Child.left_behind_type != LeftBehindType.NONE

    def count_if(cond: Any) -> Any:
        return func.count(Child.id).filter(cond)

    rows = session.execute(
        select(
            Classroom.id,
            Classroom.name,
            Classroom.grade,
            func.count(Child.id),
            count_if(Child.id.in_(in_period)),
            count_if(is_lb),
            count_if(is_lb & Child.id.in_(in_period)),
            count_if(Child.id.in_(low)),
        )
        .join(Classroom, Classroom.id == Child.classroom_id)
        .where(
            child_visibility(actor),
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
        .group_by(Classroom.id, Classroom.name, Classroom.grade, Classroom.number)
        .order_by(Classroom.grade, Classroom.number)
    ).all()
    data = [
        {
            "classroom_id": r[0],
            "classroom": r[1],
            "grade": r[2],
            "children": int(r[3]),
            "checked": int(r[4]),
            "coverage": int(r[4]) / int(r[3]) if r[3] else 0.0,
            "left_behind_children": int(r[5]),
            "left_behind_checked": int(r[6]),
            "low_vision": int(r[7]),
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=COVERAGE_COLUMNS)


def child_health_history(session: Session, actor: Actor, child_id: int) -> pd.DataFrame:
    """Every check of a child the actor may see, oldest first (HISTORY_COLUMNS; flags as keys)."""
    if actor.role == Role.BUREAU:
        raise NotAllowed("bureau sees aggregates only")
    ensure_child_visible(session, actor, child_id)
    checks = session.scalars(
        select(HealthCheck)
        .where(HealthCheck.child_id == child_id, HealthCheck.deleted_at.is_(None))
        .order_by(HealthCheck.check_date, HealthCheck.id)
    ).all()
    rows = []
    for c in checks:
        values = {m: getattr(c, m) for m in MEASURES}
        rows.append(
            {
                "check_id": c.id,
                "check_date": c.check_date,
                **values,
                "bmi": bmi(c.height_cm, c.weight_kg),
                "notes": c.notes,
                "flags": health_flags(values),
            }
        )
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
