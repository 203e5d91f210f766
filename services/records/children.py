"""Children's archive (儿童档案): the filtered list, labels and filter options, and the 建档率.

The archive's other parts live beside this module, each with its own reason to change: the column
specs (child_columns.py), what makes an archive complete (archive.py) and the validated writes
(child_writes.py). Their public names are re-exported here, the archive's one front door.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.models import Child, Classroom
from locales.values import aside
from services import permissions
from services.actor import Actor
from services.permissions import Action
from services.records.archive import (
    Completeness,
    complete_condition,
    gap_conditions,
    missing_fields,
    missing_labels,
)
from services.records.child_columns import (
    ARCHIVE_BASE_FIELDS,
    CHILD_COLUMNS,
    EDITORS,
    LEADERS,
    READERS,
)
from services.records.child_writes import list_deleted_children, restore_children, save_children
from services.records.grid_rows import Page
from services.records.specs import ColumnSpec
from services.scope import child_visibility

__all__ = [
    "ARCHIVE_BASE_FIELDS",
    "EDITORS",
    "LEADERS",
    "READERS",
    "ChildFilter",
    "Completeness",
    "FilterOptions",
    "archive_completeness",
    "child_columns",
    "child_labels",
    "complete_condition",
    "filter_options",
    "filtered_query",
    "gap_conditions",
    "list_children",
    "list_deleted_children",
    "load_children",
    "missing_fields",
    "missing_labels",
    "restore_children",
    "save_children",
]


@dataclass(frozen=True)
class ChildFilter:
    """Filters of the archive list; hashable so the grid can tell when they change."""

    grade: int | None = None
    classroom_id: int | None = None
    left_behind_type: str | None = None
    is_key: bool | None = None
    enrolment_status: str | None = EnrolmentStatus.ENROLLED.value
    search: str = ""
    left_behind_only: bool = False


def child_columns(session: Session, actor: Actor) -> list[ColumnSpec]:
    """The archive's specs with this school's class names as the classroom options."""
    names = tuple(
        session.scalars(
            select(Classroom.name)
            .where(Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None))
            .order_by(Classroom.grade, Classroom.number, Classroom.name)
        )
    )
    return [replace(s, options=names) if s.field == "classroom" else s for s in CHILD_COLUMNS]


def filtered_query(actor: Actor, filters: ChildFilter):  # type: ignore[no-untyped-def]
    """SELECT (Child, class name) of the visible, not deleted children matching `filters`."""
    query = (
        select(Child, Classroom.name.label("classroom"))
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(child_visibility(actor), Child.deleted_at.is_(None))
    )
    if filters.grade is not None:
        query = query.where(Classroom.grade == filters.grade)
    if filters.classroom_id is not None:
        query = query.where(Child.classroom_id == filters.classroom_id)
    if filters.left_behind_type:
        query = query.where(Child.left_behind_type == LeftBehindType(filters.left_behind_type))
    elif filters.left_behind_only:
        query = query.where(Child.left_behind_type != LeftBehindType.NONE)
    if filters.is_key is not None:
        query = query.where(Child.is_key.is_(filters.is_key))
    if filters.enrolment_status:
        query = query.where(Child.enrolment_status == EnrolmentStatus(filters.enrolment_status))
    text = filters.search.strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                Child.name.like(pattern),
                Child.student_no.like(pattern),
                Child.father_phone.like(pattern),
                Child.mother_phone.like(pattern),
                Child.guardian_phone.like(pattern),
            )
        )
    return query


def list_children(
    session: Session, actor: Actor, filters: ChildFilter, offset: int = 0, limit: int = 100
) -> Page:
    """One page of the children the actor may see, with what each archive is missing."""
    permissions.require(actor, Action.VIEW_CHILDREN, needs_school=True)
    query = filtered_query(actor, filters)
    total = session.scalar(query.with_only_columns(func.count(Child.id))) or 0
    rows = session.execute(
        query.order_by(
            Classroom.grade, Classroom.number, Classroom.name, Child.student_no, Child.id
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return Page(_frame(rows), int(total))


def load_children(session: Session, actor: Actor, ids: list[int]) -> pd.DataFrame:
    """The given children (visible ones only), in the list's frame format (reload of a row)."""
    permissions.require(actor, Action.VIEW_CHILDREN, needs_school=True)
    rows = session.execute(
        select(Child, Classroom.name.label("classroom"))
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(child_visibility(actor), Child.id.in_(ids), Child.deleted_at.is_(None))
    ).all()
    return _frame(rows)


def _frame(rows: list[Any]) -> pd.DataFrame:
    fields = [s.field for s in CHILD_COLUMNS if s.field not in ("classroom", "missing")]
    records = []
    for child, classroom in rows:
        record = {"id": child.id, "version": child.version, "classroom": classroom}
        for name in fields:
            value = getattr(child, name)
            record[name] = value.value if hasattr(value, "value") else value
        record["missing"] = "、".join(missing_labels(child))
        records.append(record)
    columns = ["id", "version", *fields, "classroom", "missing"]
    return pd.DataFrame(records, columns=columns)


def archive_completeness(
    session: Session, actor: Actor, filters: ChildFilter | None = None
) -> Completeness:
    """建档率: complete archives among the enrolled left-behind children in view (one SQL query);
    a selection without left-behind children has no rate (Completeness.rate is None)."""
    permissions.require(actor, Action.VIEW_CHILDREN, needs_school=True)
    filters = replace(filters or ChildFilter(), left_behind_only=True)
    if filters.left_behind_type == LeftBehindType.NONE.value:
        return Completeness(complete=0, total=0)
    complete = func.coalesce(func.sum(complete_condition()), 0)
    row = session.execute(
        filtered_query(actor, filters).with_only_columns(func.count(Child.id), complete)
    ).one()
    return Completeness(complete=int(row[1]), total=int(row[0]))


def child_labels(
    session: Session,
    actor: Actor,
    enrolled_only: bool = True,
    filters: ChildFilter | None = None,
    ids: list[int] | None = None,
) -> dict[int, str]:
    """id → "name（class）" for visible children (optionally filtered, or just `ids`).

    A 学籍号 is added where a name repeats within a class; repeats are looked for among all
    visible children, so a child has the same label in every list, picker and grid.
    """
    if filters is not None:
        query = filtered_query(actor, filters)
    else:
        query = (
            select(Child, Classroom.name)
            .outerjoin(Classroom, Classroom.id == Child.classroom_id)
            .where(child_visibility(actor), Child.deleted_at.is_(None))
        )
    query = query.with_only_columns(
        Child.id, Child.name, Child.student_no, Child.classroom_id, Classroom.name
    ).order_by(Classroom.grade, Classroom.number, Child.name, Child.id)
    if enrolled_only:
        query = query.where(Child.enrolment_status == EnrolmentStatus.ENROLLED)
    if ids is not None:
        query = query.where(Child.id.in_(ids))
    rows = session.execute(query).all()
    repeated = set(
        session.execute(
            select(Child.name, Child.classroom_id)
            .where(child_visibility(actor), Child.deleted_at.is_(None))
            .group_by(Child.name, Child.classroom_id)
            .having(func.count() > 1)
        ).all()
    )
    labels = {}
    for cid, name, number, room_id, room in rows:
        label = aside(name, room) if room else name
        labels[cid] = f"{label} {number}" if (name, room_id) in repeated else label
    return labels


@dataclass(frozen=True)
class FilterOptions:
    grades: list[int]
    classrooms: dict[int, str]  # id → name


def filter_options(session: Session, actor: Actor) -> FilterOptions:
    """Grades and classes for the filter bar (only the actor's classes for a head teacher)."""
    query = select(Classroom.id, Classroom.grade, Classroom.name).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if actor.role == Role.HEAD_TEACHER:
        query = query.where(Classroom.id.in_(actor.head_of_classroom_ids or [-1]))
    rows = session.execute(query.order_by(Classroom.grade, Classroom.number, Classroom.name)).all()
    return FilterOptions(
        grades=sorted({grade for _, grade, _ in rows}),
        classrooms={room_id: name for room_id, _, name in rows},
    )
