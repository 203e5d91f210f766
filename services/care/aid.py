"""Aid (资助) per child and term: 两免一补, 济难救助, 爱心妈妈 (with the sponsor's name), other.

Principal and admin see and edit everything of the school; a head teacher reads the own
classes' records; the counsellor and teachers see no aid detail (DESIGN.md §5). Totals per
term and kind are aggregates, also open to the bureau for its county.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from db.enums import AidKind
from db.models import Aid, Child, Classroom, Term
from locales.values import aside
from services import permissions
from services.actor import Actor
from services.errors import NotAllowed
from services.permissions import Action, Scope
from services.records.grid_rows import GridChanges, Page, SaveResult
from services.records.grid_writes import delete_and_count, refuse
from services.records.specs import ColumnSpec, ColumnType, check_changes, problem
from services.rows import create_row, school_row, update_row
from services.scope import child_visibility, school_ids_in_view

EDITOR_ROLES = tuple(permissions.roles_with(Action.EDIT_AID))
MAX_AMOUNT = 1_000_000
LIST_COLUMNS = [
    "id",
    "version",
    "child",
    "child_id",
    "classroom",
    "kind",
    "sponsor",
    "amount",
    "granted_on",
    "note",
]
TOTAL_COLUMNS = ["term_id", "term", "kind", "records", "children", "amount"]


def child_label(name: str, student_no: str) -> str:
    """How a child appears in the aid grid's child column (names repeat; numbers do not)."""
    return aside(name, student_no)


def _positive_amount(value: Any) -> str | None:
    return None if 0 < value <= MAX_AMOUNT else "aid.reason.amount"


def aid_specs(child_labels: list[str]) -> list[ColumnSpec]:
    """Grid columns; `child` offers the children of the chosen class."""
    editors = frozenset(EDITOR_ROLES)
    return [
        ColumnSpec("child", "aid.col.child", ColumnType.SELECT, options=tuple(child_labels),
                   required=True, edit_roles=editors, width=210),
        ColumnSpec("classroom", "aid.col.classroom", computed=True, width=110),
        ColumnSpec.for_enum("kind", "aid.col.kind", AidKind, required=True, edit_roles=editors),
        ColumnSpec("sponsor", "aid.col.sponsor", edit_roles=editors),
        ColumnSpec("amount", "aid.col.amount", ColumnType.FLOAT, required=True,
                   validator=_positive_amount, edit_roles=editors, width=90,
                   number_format="accounting"),  # 1,500.00 as on the totals
        ColumnSpec("granted_on", "aid.col.granted_on", ColumnType.DATE, edit_roles=editors),
        ColumnSpec("note", "aid.col.note", edit_roles=editors, width=160),
    ]  # fmt: skip


def aid_visibility(actor: Actor) -> ColumnElement[bool]:
    """A WHERE condition on Child: whose aid `actor` may read (§5: a head teacher's own classes,
    never the paired children of other classes). NotAllowed for roles without aid detail."""
    reach = permissions.require(actor, Action.VIEW_AID)
    if reach is Scope.OWN_CLASSES:
        return (Child.school_id == actor.school_id) & Child.classroom_id.in_(
            actor.head_of_classroom_ids or [-1]
        )
    return child_visibility(actor)


def _reader_visibility(actor: Actor) -> ColumnElement[bool]:
    """Aid lists are per child: not for the county's aggregates."""
    if permissions.scope(actor, Action.VIEW_AID) is Scope.COUNTY_AGGREGATE:
        raise NotAllowed("the bureau sees aid totals only")
    return aid_visibility(actor)


def _term(session: Session, actor: Actor, term_id: int) -> Term:
    return school_row(session, Term, term_id, actor.school_id, "term")


def class_children(session: Session, actor: Actor, classroom_id: int | None) -> dict[str, int]:
    """label → child id for the children of a class (or the school) the actor may see."""
    visible = _reader_visibility(actor)
    query = select(Child.id, Child.name, Child.student_no).where(
        visible, Child.deleted_at.is_(None)
    )
    if classroom_id is not None:
        query = query.where(Child.classroom_id == classroom_id)
    rows = session.execute(query.order_by(Child.student_no))
    return {child_label(name, no): cid for cid, name, no in rows}


def aid_classrooms(session: Session, actor: Actor) -> dict[int, str]:
    """Classes the actor may look at here (a head teacher: own ones)."""
    _reader_visibility(actor)
    query = select(Classroom.id, Classroom.name).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if permissions.scope(actor, Action.VIEW_AID) is Scope.OWN_CLASSES:
        query = query.where(Classroom.id.in_(actor.head_of_classroom_ids or [-1]))
    rows = session.execute(query.order_by(Classroom.grade, Classroom.number))
    return {cid: name for cid, name in rows}


def list_aid(
    session: Session, actor: Actor, term_id: int, classroom_id: int | None = None
) -> pd.DataFrame:
    """Aid records of a term (optionally one class) the actor may see (LIST_COLUMNS)."""
    visible = _reader_visibility(actor)
    _term(session, actor, term_id)
    query = (
        select(Aid, Child.name, Child.student_no, Classroom.name)
        .join(Child, Child.id == Aid.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(Aid.term_id == term_id, Aid.deleted_at.is_(None), visible)
        .order_by(Classroom.grade, Classroom.number, Child.student_no, Aid.id)
    )
    if classroom_id is not None:
        query = query.where(Child.classroom_id == classroom_id)
    rows = [
        {
            "id": aid.id,
            "version": aid.version,
            "child": child_label(name, no),
            "child_id": aid.child_id,
            "classroom": room,
            "kind": AidKind(aid.kind).value,
            "sponsor": aid.sponsor,
            "amount": float(aid.amount),
            "granted_on": aid.granted_on,
            "note": aid.note,
        }
        for aid, name, no, room in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def load_aid_page(
    session: Session,
    actor: Actor,
    offset: int,
    limit: int,
    term_id: int,
    classroom_id: int | None = None,
) -> Page:
    frame = list_aid(session, actor, term_id, classroom_id)
    return Page(frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame))


def save_aid_changes(
    session: Session,
    actor: Actor,
    changes: GridChanges,
    term_id: int,
    classroom_id: int | None = None,
) -> SaveResult:
    """Write the aid grid's changes for one term; all checked first, nothing written on error.

    Amount must be above 0; 爱心妈妈 needs the sponsor's name.
    """
    permissions.require(actor, Action.EDIT_AID)
    _term(session, actor, term_id)
    children = class_children(session, actor, classroom_id)
    specs = aid_specs(list(children))
    problems = check_changes(specs, actor, changes)
    sponsor_spec = next(s for s in specs if s.field == "sponsor")
    stored = _stored(session, actor, [u.id for u in [*changes.updates, *changes.deletes]])
    for label, values, old in [
        *((u.label, u.values, stored.get(u.id)) for u in changes.updates),
        *((i.label, i.values, None) for i in changes.inserts),
    ]:
        kind = values.get("kind", old.kind if old else None)
        sponsor = values.get("sponsor", old.sponsor if old else None)
        if kind == AidKind.SPONSOR and not sponsor:
            problems.append(problem(label, sponsor_spec, sponsor, "aid.reason.sponsor"))
    refuse(session, Aid, problems, changes)
    for update in changes.updates:
        values = _columns(update.values, children)
        update_row(session, actor, stored[update.id], update.version, values, update.label)
    for insert in changes.inserts:
        aid = Aid(school_id=actor.school_id, term_id=term_id, **_columns(insert.values, children))
        create_row(session, actor, aid)
    return delete_and_count(session, actor, stored, changes)


def _stored(session: Session, actor: Actor, ids: list[int]) -> dict[int, Aid]:
    rows = session.scalars(select(Aid).where(Aid.id.in_(ids or [-1]))).all()
    if any(a.school_id != actor.school_id for a in rows):
        raise NotAllowed("other school")
    return {a.id: a for a in rows}


def _columns(values: dict[str, Any], children: dict[str, int]) -> dict[str, Any]:
    """Grid values → Aid columns (child label → id, amount → Decimal, kind → enum)."""
    out = dict(values)
    if "child" in out:
        out["child_id"] = children[out.pop("child")]
    if out.get("amount") is not None:
        out["amount"] = Decimal(str(round(out["amount"], 2)))
    if out.get("kind") is not None:
        out["kind"] = AidKind(out["kind"])
    return out


# How much aid a group of Aid rows is: records, children, amount (aid_totals; the dashboard's).
AID_SUMS = (
    func.count(Aid.id),
    func.count(func.distinct(Aid.child_id)),
    func.coalesce(func.sum(Aid.amount), 0),
)


def aid_totals(session: Session, actor: Actor, term_id: int | None = None) -> pd.DataFrame:
    """Records, children and amount per term and kind (TOTAL_COLUMNS), for every term of the
    school(s) in view or one term; amount is a float in yuan. Head teachers get their classes."""
    visible = aid_visibility(actor)
    query = (
        select(Term.id, Term.name, Aid.kind, *AID_SUMS)
        .join(Term, Term.id == Aid.term_id)
        .join(Child, Child.id == Aid.child_id)
        .where(
            Aid.deleted_at.is_(None),
            Aid.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            visible,
        )
        .group_by(Term.id, Term.name, Term.start_date, Aid.kind)
        .order_by(Term.start_date, Term.id, Aid.kind)
    )
    if term_id is not None:
        query = query.where(Aid.term_id == term_id)
    rows = [
        {
            "term_id": tid,
            "term": name,
            "kind": AidKind(kind).value,
            "records": int(records),
            "children": int(kids),
            "amount": float(amount),
        }
        for tid, name, kind, records, kids, amount in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=TOTAL_COLUMNS)
