"""Children's archive (儿童档案): filtered pages, completeness and 建档率, validated saves.

Saves carry the version each row had when the user saw it (see services/records/specs.py) and keep a
left-behind history row whenever a child's left-behind type changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, Gender, LeftBehindType, Role
from db.models import Child, Classroom, LeftBehindHistory, User
from locales import t
from services.accounts.actor import Actor
from services.errors import ConflictError, NotAllowed, NotFound, ValidationFailed
from services.records.child_columns import (
    ARCHIVE_BASE_FIELDS,
    AWAY_PARENTS,
    CHILD_COLUMNS,
    PARENT_FIELDS,
)
from services.records.specs import (
    ColumnSpec,
    GridChanges,
    Page,
    SaveResult,
    check_changes,
    create_row,
    find_conflicts,
    is_empty,
    problem,
    restore_row,
    soft_delete_row,
    update_row,
)
from services.scope import child_visibility

EDITORS = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER})
READERS = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR})
LEADERS = frozenset({Role.ADMIN, Role.PRINCIPAL})


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


@dataclass(frozen=True)
class Completeness:
    complete: int
    total: int

    @property
    def rate(self) -> float:
        return self.complete / self.total if self.total else 1.0


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


def _require_reader(actor: Actor) -> None:
    if actor.role not in READERS or actor.school_id is None:
        raise NotAllowed("children list")


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
    _require_reader(actor)
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
    _require_reader(actor)
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


def missing_fields(child: Child) -> list[str]:
    """Archive fields still empty for this child (parents' fields by left-behind type)."""
    fields = list(ARCHIVE_BASE_FIELDS)
    for who in AWAY_PARENTS[LeftBehindType(child.left_behind_type)]:
        fields += [f"{who}_{part}" for part in PARENT_FIELDS]
    return [f for f in fields if is_empty(getattr(child, f))]


def missing_labels(child: Child) -> list[str]:
    return [t(f"children.col.{f.removesuffix('_id')}") for f in missing_fields(child)]


def complete_condition():  # type: ignore[no-untyped-def]
    """1 when every required archive field of a child is filled, else 0 (SQL; one 建档 rule)."""

    def filled(column):  # type: ignore[no-untyped-def]
        if isinstance(column.type.python_type, type) and column.type.python_type is str:
            return and_(column.is_not(None), func.trim(column) != "")
        return column.is_not(None)

    base = and_(*(filled(getattr(Child, f)) for f in ARCHIVE_BASE_FIELDS))

    def parents(who: str):  # type: ignore[no-untyped-def]
        return and_(*(filled(getattr(Child, f"{who}_{p}")) for p in PARENT_FIELDS))

    lbt = Child.left_behind_type
    by_type = case(
        (
            lbt == LeftBehindType.BOTH,
            case((and_(parents("father"), parents("mother")), 1), else_=0),
        ),
        (lbt == LeftBehindType.FATHER, case((parents("father"), 1), else_=0)),
        (lbt == LeftBehindType.MOTHER, case((parents("mother"), 1), else_=0)),
        else_=1,
    )
    return case((and_(base, by_type == 1), 1), else_=0)


def archive_completeness(
    session: Session, actor: Actor, filters: ChildFilter | None = None
) -> Completeness:
    """建档率: complete archives among the enrolled left-behind children in view (one SQL query)."""
    _require_reader(actor)
    filters = replace(filters or ChildFilter(), left_behind_only=True)
    if filters.left_behind_type == LeftBehindType.NONE.value:
        filters = replace(filters, left_behind_type=None)
    complete = func.coalesce(func.sum(complete_condition()), 0)
    row = session.execute(
        filtered_query(actor, filters).with_only_columns(func.count(Child.id), complete)
    ).one()
    return Completeness(complete=int(row[1]), total=int(row[0]))


# ---- writes -----------------------------------------------------------------------------------


def save_children(session: Session, actor: Actor, changes: GridChanges) -> SaveResult:
    """Validate every change, then write all of them or none (the page owns the transaction)."""
    if actor.role not in EDITORS or actor.school_id is None:
        raise NotAllowed("edit children")
    specs = child_columns(session, actor)
    by_field = {s.field: s for s in specs}
    for insert in changes.inserts:
        if is_empty(insert.values.get("enrolment_status")):
            insert.values["enrolment_status"] = EnrolmentStatus.ENROLLED.value
    problems = check_changes(specs, actor, changes)

    existing = {u.id: _visible_child(session, actor, u.id) for u in changes.updates}
    existing.update({d.id: _visible_child(session, actor, d.id) for d in changes.deletes})
    classroom_ids = _classroom_ids(session, actor)
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
    if problems:
        raise ValidationFailed(problems)

    conflicts = find_conflicts(session, Child, [*changes.updates, *changes.deletes])
    if conflicts:
        raise ConflictError(conflicts)

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
    for delete in changes.deletes:
        soft_delete_row(session, actor, existing[delete.id], delete.version, delete.label)
    return SaveResult(len(changes.inserts), len(changes.updates), len(changes.deletes))


def _visible_child(session: Session, actor: Actor, child_id: int) -> Child:
    child = session.scalar(select(Child).where(Child.id == child_id, child_visibility(actor)))
    if child is None:
        if session.get(Child, child_id) is None:
            raise NotFound("child")
        raise NotAllowed("child outside the actor's scope")
    return child


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
    today = date.today()
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
    if actor.role not in LEADERS:
        raise NotAllowed("deleted children")
    rows = session.execute(
        select(Child.id, Child.name, Child.student_no, Child.deleted_at, User.display_name)
        .outerjoin(User, User.id == Child.deleted_by)
        .where(Child.school_id == actor.school_id, Child.deleted_at.is_not(None))
        .order_by(Child.deleted_at.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name", "student_no", "deleted_at", "deleted_by"])


def restore_children(session: Session, actor: Actor, ids: list[int]) -> int:
    """Undo soft deletes (principal/admin); returns how many were restored."""
    if actor.role not in LEADERS:
        raise NotAllowed("restore children")
    children = session.scalars(
        select(Child).where(Child.id.in_(ids), Child.school_id == actor.school_id)
    ).all()
    for child in children:
        restore_row(session, actor, child)
    return len(children)


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
        label = f"{name}（{room}）" if room else name
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
