"""结对帮扶: teacher–child pairings per term, teacher load (more than 3 warns), unpaired children
with key children first. Principal and admin assign; head teachers see their children's pairs.
Over 300 lines: the teachers' labels (names alike told apart) are the grid's, the load's and the
quick form's, so they stay with the pairings they name."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.models import Child, Classroom, Pairing, TeachingAssignment, Term, User
from locales import enum_label
from locales.values import aside
from services import permissions
from services.actor import Actor
from services.clock import school_today
from services.errors import NotAllowed
from services.permissions import Action
from services.records.children import child_labels
from services.records.grid_rows import GridChanges, Page, RowInsert, SaveResult
from services.records.grid_writes import changed_rows, delete_and_count, refuse
from services.records.specs import ColumnSpec, ColumnType, check_changes, problem
from services.rows import create_row, school_row, update_row
from services.scope import child_visibility

ASSIGNERS = permissions.roles_with(Action.ASSIGN_PAIRINGS)
READERS = permissions.roles_with(Action.VIEW_PAIRINGS)
PAIRABLE_ROLES = (Role.TEACHER, Role.HEAD_TEACHER, Role.PRINCIPAL, Role.COUNSELLOR)
LOAD_LIMIT = 3

PAIRING_COLUMNS: list[ColumnSpec] = [
    ColumnSpec("teacher", "pairings.col.teacher", ColumnType.SELECT, required=True, width=110),
    ColumnSpec("child", "pairings.col.child", ColumnType.SELECT, required=True, width=170),
    ColumnSpec("is_key", "pairings.col.is_key", ColumnType.BOOL, computed=True, width=70),
    ColumnSpec("start_date", "pairings.col.start_date", ColumnType.DATE),
    ColumnSpec("end_date", "pairings.col.end_date", ColumnType.DATE),
    ColumnSpec("goal", "pairings.col.goal", width=260),
]


def _term(session: Session, actor: Actor, term_id: int) -> Term:
    return school_row(session, Term, term_id, actor.school_id, "term")


def teacher_labels(session: Session, actor: Actor) -> dict[int, str]:
    """id → display name of the school's active staff who can take children; names alike are
    told apart by the class they head or teach (and its subject), else their role — never by
    their login name; any still alike are numbered."""
    rows = session.execute(
        select(User.id, User.display_name, User.role)
        .where(
            User.school_id == actor.school_id,
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.role.in_(PAIRABLE_ROLES),
        )
        .order_by(User.display_name, User.id)
    ).all()
    names = Counter(name for _, name, _ in rows)
    notes = _teacher_notes(session, [uid for uid, name, _ in rows if names[name] > 1])
    labels = {
        uid: name if names[name] == 1 else aside(name, notes.get(uid) or enum_label(role, Role))
        for uid, name, role in rows
    }
    alike = Counter(labels.values())
    seen: Counter[str] = Counter()
    for uid, label in labels.items():
        if alike[label] > 1:
            seen[label] += 1
            labels[uid] = f"{label}{seen[label]}"
    return labels


def _teacher_notes(session: Session, user_ids: list[int]) -> dict[int, str]:
    """id → the class the user heads, else the first class taught with its subject."""
    if not user_ids:
        return {}
    taught = session.execute(
        select(TeachingAssignment.user_id, Classroom.name, TeachingAssignment.subject)
        .join(Classroom, Classroom.id == TeachingAssignment.classroom_id)
        .where(TeachingAssignment.user_id.in_(user_ids))
        .order_by(Classroom.grade, Classroom.number, Classroom.id)
    ).all()
    notes: dict[int, str] = {}
    for uid, room, subject in taught:
        notes.setdefault(uid, f"{room} {subject}" if subject else room)
    headed = session.execute(
        select(Classroom.head_teacher_id, Classroom.name)
        .where(Classroom.head_teacher_id.in_(user_ids))
        .order_by(Classroom.grade, Classroom.number, Classroom.id)
    ).all()
    for uid, room in reversed(headed):
        notes[uid] = room
    return notes


def pairing_columns(session: Session, actor: Actor) -> list[ColumnSpec]:
    teachers = tuple(teacher_labels(session, actor).values())
    kids = tuple(child_labels(session, actor).values())
    options = {"teacher": teachers, "child": kids}
    return [
        replace(s, options=options[s.field]) if s.field in options else s for s in PAIRING_COLUMNS
    ]


def _live(term_id: int) -> list[ColumnElement[bool]]:
    """The term's pairings that stand: neither the pairing nor its child deleted."""
    return [Pairing.term_id == term_id, Pairing.deleted_at.is_(None), Child.deleted_at.is_(None)]


def _query(actor: Actor, term_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Pairing, Child.is_key)
        .join(Child, Child.id == Pairing.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*_live(term_id), child_visibility(actor))
    )


def list_pairings(
    session: Session, actor: Actor, term_id: int, offset: int = 0, limit: int = 100
) -> Page:
    """Pairings of a term for the children the actor may see, key children first."""
    permissions.require(actor, Action.VIEW_PAIRINGS, needs_school=True)
    _term(session, actor, term_id)
    query = _query(actor, term_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(
            Child.is_key.desc(), Classroom.grade, Classroom.number, Child.name, Pairing.id
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return Page(_frame(session, actor, rows), int(total))


def load_pairings(session: Session, actor: Actor, ids: list[int]) -> pd.DataFrame:
    permissions.require(actor, Action.VIEW_PAIRINGS, needs_school=True)
    pairings = session.scalars(select(Pairing).where(Pairing.id.in_(ids))).all()
    if not pairings:
        return _frame(session, actor, [])
    rows = session.execute(_query(actor, pairings[0].term_id).where(Pairing.id.in_(ids))).all()
    return _frame(session, actor, rows)


def _frame(session: Session, actor: Actor, rows: list[Any]) -> pd.DataFrame:
    teachers = teacher_labels(session, actor) if rows else {}
    kids = child_labels(session, actor, enrolled_only=False) if rows else {}
    records = [
        {
            "id": p.id,
            "version": p.version,
            "teacher": teachers.get(p.teacher_id),
            "child": kids.get(p.child_id),
            "is_key": bool(is_key),
            "start_date": p.start_date,
            "end_date": p.end_date,
            "goal": p.goal,
        }
        for p, is_key in rows
    ]
    return pd.DataFrame(records, columns=["id", "version", *(s.field for s in PAIRING_COLUMNS)])


def save_pairings(session: Session, actor: Actor, term_id: int, changes: GridChanges) -> SaveResult:
    """Validate every change, then write all of them or none (principal/admin)."""
    permissions.require(actor, Action.ASSIGN_PAIRINGS, needs_school=True)
    term = _term(session, actor, term_id)
    specs = pairing_columns(session, actor)
    by_field = {s.field: s for s in specs}
    problems = check_changes(specs, actor, changes)
    teachers = {label: uid for uid, label in teacher_labels(session, actor).items()}
    kids = {label: cid for cid, label in child_labels(session, actor).items()}

    existing = changed_rows(session, actor, Pairing, changes, "pairing")
    resolved: list[dict[str, Any]] = []
    rows = [(u.label, u.values, existing[u.id]) for u in changes.updates]
    rows += [(i.label, i.values, None) for i in changes.inserts]
    for label, values, pairing in rows:
        model = {k: v for k, v in values.items() if k not in ("teacher", "child")}
        if values.get("teacher") in teachers:
            model["teacher_id"] = teachers[values["teacher"]]
        if values.get("child") in kids:
            model["child_id"] = kids[values["child"]]
        start = model.get("start_date", pairing.start_date if pairing else None)
        end = model.get("end_date", pairing.end_date if pairing else None)
        if start and end and end < start:
            problems.append(problem(label, by_field["end_date"], end, "pairings.reason.end_before"))
        resolved.append(model)
    problems += _duplicates(session, term_id, rows, resolved, by_field["child"])
    refuse(session, Pairing, problems, changes)

    for update, model in zip(changes.updates, resolved, strict=False):
        update_row(session, actor, existing[update.id], update.version, model, update.label)
    for model in resolved[len(changes.updates) :]:
        _create(session, actor, term, model)
    return delete_and_count(session, actor, existing, changes)


def _duplicates(
    session: Session,
    term_id: int,
    rows: list[tuple[str, dict, Pairing | None]],
    resolved: list[dict[str, Any]],
    spec: ColumnSpec,
) -> list:
    """The same teacher and child paired twice in one term."""
    pairs: dict[tuple[int, int], list[str]] = {}
    changing = {p.id for _, _, p in rows if p is not None}
    for (label, _, pairing), model in zip(rows, resolved, strict=True):
        teacher = model.get("teacher_id", pairing.teacher_id if pairing else None)
        child = model.get("child_id", pairing.child_id if pairing else None)
        if teacher and child:
            pairs.setdefault((teacher, child), []).append(label)
    stored = session.execute(
        select(Pairing.teacher_id, Pairing.child_id).where(
            Pairing.term_id == term_id,
            Pairing.deleted_at.is_(None),
            Pairing.id.not_in(changing or [-1]),
        )
    ).all()
    taken = {tuple(row) for row in stored}
    return [
        problem(label, spec, label, "pairings.reason.duplicate")
        for pair, labels in pairs.items()
        if pair in taken or len(labels) > 1
        for label in labels
    ]


def _create(session: Session, actor: Actor, term: Term, model: dict[str, Any]) -> Pairing:
    pairing = Pairing(school_id=actor.school_id, term_id=term.id, **model)
    pairing.start_date = pairing.start_date or max(term.start_date, school_today())
    create_row(session, actor, pairing)
    return pairing


def assign(
    session: Session, actor: Actor, term_id: int, teacher_id: int, child_ids: list[int]
) -> SaveResult:
    """Pair one teacher with several children in one step (through the same checks as the grid)."""
    teachers = teacher_labels(session, actor)
    kids = child_labels(session, actor)
    if teacher_id not in teachers or any(c not in kids for c in child_ids):
        raise NotAllowed("teacher or child outside the school")
    inserts = [
        RowInsert(kids[c], {"teacher": teachers[teacher_id], "child": kids[c]}) for c in child_ids
    ]
    return save_pairings(session, actor, term_id, GridChanges(inserts=inserts))


def teacher_loads(session: Session, actor: Actor, term_id: int) -> pd.DataFrame:
    """Per teacher: children paired this term, key children among them, and whether over 3."""
    permissions.require(actor, Action.VIEW_PAIRINGS, needs_school=True)
    _term(session, actor, term_id)
    teacher = aliased(User)
    rows = session.execute(
        select(
            teacher.id,
            func.count(Pairing.id),
            func.coalesce(func.sum(case((Child.is_key.is_(True), 1), else_=0)), 0),
        )
        .join(Pairing, Pairing.teacher_id == teacher.id)
        .join(Child, Child.id == Pairing.child_id)
        .where(*_live(term_id), teacher.school_id == actor.school_id)
        .group_by(teacher.id)
    ).all()
    labels = teacher_labels(session, actor)
    counts = {uid: (int(n), int(key)) for uid, n, key in rows}
    records = [
        {
            "teacher_id": uid,
            "teacher": label,
            "children": counts.get(uid, (0, 0))[0],
            "key_children": counts.get(uid, (0, 0))[1],
            "over_limit": counts.get(uid, (0, 0))[0] > LOAD_LIMIT,
        }
        for uid, label in labels.items()
    ]
    frame = pd.DataFrame(
        records, columns=["teacher_id", "teacher", "children", "key_children", "over_limit"]
    )
    return frame.sort_values(["children", "teacher"], ascending=[False, True], ignore_index=True)


def unpaired_children(session: Session, actor: Actor, term_id: int) -> pd.DataFrame:
    """Enrolled left-behind children with no pairing this term, key children first."""
    permissions.require(actor, Action.VIEW_PAIRINGS, needs_school=True)
    _term(session, actor, term_id)
    paired = select(Pairing.child_id).where(
        Pairing.term_id == term_id, Pairing.deleted_at.is_(None)
    )
    rows = session.execute(
        select(Child.id, Child.name, Classroom.name, Child.left_behind_type, Child.is_key)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            child_visibility(actor),
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
            Child.left_behind_type != LeftBehindType.NONE,
            Child.id.not_in(paired),
        )
        .order_by(Child.is_key.desc(), Classroom.grade, Classroom.number, Child.name)
    ).all()
    return pd.DataFrame(
        [
            (cid, name, room, LeftBehindType(lbt).value, bool(key))
            for cid, name, room, lbt, key in rows
        ],
        columns=["id", "name", "classroom", "left_behind_type", "is_key"],
    )
