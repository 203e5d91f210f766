"""Writes to the children's archive: validated grid saves, soft deletes and restores.

Saves carry the version each row had when the user saw it (see services/records/specs.py), write
all rows or none, and keep a left-behind history row whenever a child's left-behind type changes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, Gender, LeftBehindType, Role
from db.models import Child, Classroom, LeftBehindHistory
from services import permissions
from services.actor import Actor
from services.clock import school_today
from services.permissions import Action
from services.records.child_columns import CHILD_COLUMNS
from services.records.grid_rows import GridChanges, SaveResult
from services.records.grid_writes import delete_and_count, list_deleted, refuse
from services.records.specs import ColumnSpec, check_changes, is_empty, problem
from services.rows import create_row, restore_rows, update_row
from services.scope import ensure_child_visible


def save_children(session: Session, actor: Actor, changes: GridChanges) -> SaveResult:
    """Validate every change, then write all of them or none (the page owns the transaction)."""
    permissions.require(actor, Action.EDIT_CHILDREN, needs_school=True)
    classroom_ids = _classroom_ids(session, actor)
    names = tuple(classroom_ids)
    specs = [replace(s, options=names) if s.field == "classroom" else s for s in CHILD_COLUMNS]
    by_field = {s.field: s for s in specs}
    for insert in changes.inserts:
        if is_empty(insert.values.get("enrolment_status")):
            insert.values["enrolment_status"] = EnrolmentStatus.ENROLLED.value
    problems = check_changes(specs, actor, changes)

    existing = {u.id: ensure_child_visible(session, actor, u.id) for u in changes.updates}
    existing.update({d.id: ensure_child_visible(session, actor, d.id) for d in changes.deletes})
    rows = [(u.label, u.values, existing[u.id]) for u in changes.updates]
    rows += [(i.label, i.values, None) for i in changes.inserts]
    for label, values, child in rows:
        name = values.get("classroom")
        if name is not None and name in classroom_ids:
            allowed = actor.role != Role.HEAD_TEACHER or (
                classroom_ids[name] in actor.head_of_classroom_ids
                or (child is not None and child.classroom_id == classroom_ids[name])
            )
            if not allowed:
                problems.append(
                    problem(label, by_field["classroom"], name, "children.reason.class")
                )
    problems += _duplicate_student_numbers(session, actor, rows, by_field["student_no"])
    refuse(session, Child, problems, changes)

    for update in changes.updates:
        child = existing[update.id]
        old_type = LeftBehindType(child.left_behind_type)
        update_row(
            session,
            actor,
            child,
            update.version,
            _to_model(update.values, classroom_ids),
            update.label,
        )
        if LeftBehindType(child.left_behind_type) != old_type:
            _record_history(session, actor, child)
    for insert in changes.inserts:
        values = _to_model(insert.values, classroom_ids)
        child = Child(school_id=actor.school_id, **values)
        create_row(session, actor, child)
        _record_history(session, actor, child)
    return delete_and_count(session, actor, existing, changes)


def _classroom_ids(session: Session, actor: Actor) -> dict[str, int]:
    return dict(
        session.execute(
            select(Classroom.name, Classroom.id).where(
                Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
            )
        ).all()
    )


def _to_model(values: dict[str, Any], classroom_ids: dict[str, int]) -> dict[str, Any]:
    """Grid values → model attributes (class name → classroom_id, enum strings → enums)."""
    out = dict(values)
    if "classroom" in out:
        name = out.pop("classroom")
        out["classroom_id"] = classroom_ids.get(name) if name else None
    for name, enum_cls in (
        ("gender", Gender),
        ("enrolment_status", EnrolmentStatus),
        ("left_behind_type", LeftBehindType),
    ):
        if out.get(name) is not None:
            out[name] = enum_cls(out[name])
    for flag in ("is_key", "boarding"):
        if flag in out:
            out[flag] = bool(out[flag])
    if "key_reasons" in out:
        out["key_reasons"] = list(out["key_reasons"] or [])
    return out


def _duplicate_student_numbers(
    session: Session, actor: Actor, rows: list[tuple[str, dict, Child | None]], spec: ColumnSpec
) -> list:
    """学籍号 must be unique per school: within this save and against stored children."""
    wanted: dict[str, list[tuple[str, int | None]]] = {}
    for label, values, child in rows:
        number = values.get("student_no")
        if number:
            wanted.setdefault(number, []).append((label, child.id if child else None))
    if not wanted:
        return []
    changing = {child_id for entries in wanted.values() for _, child_id in entries if child_id}
    stored = session.execute(
        select(Child.student_no, Child.id).where(
            Child.school_id == actor.school_id, Child.student_no.in_(list(wanted))
        )
    ).all()
    taken = {number for number, child_id in stored if child_id not in changing}
    problems = []
    for number, entries in wanted.items():
        if number in taken or len(entries) > 1:
            problems += [
                problem(label, spec, number, "children.reason.duplicate") for label, _ in entries
            ]
    return problems


def _record_history(session: Session, actor: Actor, child: Child) -> None:
    """Close the open left-behind period and open one for the child's current type."""
    today = school_today()
    open_rows = session.scalars(
        select(LeftBehindHistory).where(
            LeftBehindHistory.child_id == child.id, LeftBehindHistory.valid_to.is_(None)
        )
    ).all()
    for row in open_rows:
        row.valid_to = today
        row.updated_by = actor.user_id
    session.add(
        LeftBehindHistory(
            school_id=child.school_id,
            child_id=child.id,
            left_behind_type=child.left_behind_type,
            valid_from=child.left_behind_since
            if not open_rows and child.left_behind_since
            else today,
            created_by=actor.user_id,
            updated_by=actor.user_id,
        )
    )
    session.flush()


def list_deleted_children(session: Session, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """Recently soft-deleted children of the school (principal/admin), newest first."""
    permissions.require(actor, Action.UNDELETE)
    query = select(Child.id, Child.name, Child.student_no)
    return list_deleted(session, actor, Child, query, ["id", "name", "student_no"], limit)


def restore_children(session: Session, actor: Actor, ids: list[int]) -> int:
    """Undo soft deletes (principal/admin); returns how many were restored."""
    return restore_rows(session, actor, Child, ids)
