"""家校联系记录: contacts with the guardian, parents and child — grid pages, saves, quick entry.

No contact may be dated before the child's birth or in the future, and every contact must say
something: a summary, or an outcome chosen from a short list (an unanswered call, 未接通, is
recorded but meets no rule: db.models.Contact.substantive). Only children in the actor's scope
(services/scope.py) can get contacts, and every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from db.enums import ContactChannel, ContactOutcome, Counterpart
from db.models import Child, Contact, User
from services import permissions
from services.actor import Actor
from services.errors import NotAllowed, ValidationFailed
from services.permissions import Action
from services.records.children import ChildFilter, child_labels, filtered_query
from services.records.grid_rows import GridChanges, Page, RowInsert, SaveResult, count_capped
from services.records.grid_writes import changed_rows, delete_and_count, list_deleted, refuse
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    Problem,
    check_changes,
    is_empty,
    not_in_future,
    problem,
)
from services.rows import create_row, restore_rows, update_row
from services.scope import child_visibility

EDITORS = permissions.roles_with(Action.EDIT_CONTACTS)
READERS = permissions.roles_with(Action.VIEW_CONTACTS)
LEADERS = permissions.roles_with(Action.UNDELETE)
COUNT_CAP = 2000  # "2000+ 条": enough pages to browse; filters narrow the rest
OPTIONS_CAP = 500  # more children than this: filter (e.g. by class) to add rows in the grid
ALL_CHILDREN = ChildFilter(enrolment_status=None)


def _enum_select(name: str, enum_cls: type, **kw: Any) -> ColumnSpec:
    return ColumnSpec.for_enum(name, f"contacts.col.{name}", enum_cls, **kw)


CONTACT_COLUMNS: list[ColumnSpec] = [
    ColumnSpec("child", "contacts.col.child", ColumnType.SELECT, required=True, width=150),
    ColumnSpec(
        "contact_date",
        "contacts.col.contact_date",
        ColumnType.DATE,
        required=True,
        validator=not_in_future,
    ),
    _enum_select("channel", ContactChannel, required=True, width=80),
    _enum_select("counterpart", Counterpart, required=True, width=90),
    _enum_select("outcome", ContactOutcome, width=80),
    ColumnSpec("summary", "contacts.col.summary", width=260),
    ColumnSpec("concerns", "contacts.col.concerns", width=180),
    ColumnSpec("follow_up_needed", "contacts.col.follow_up_needed", ColumnType.BOOL, width=80),
    ColumnSpec("follow_up_date", "contacts.col.follow_up_date", ColumnType.DATE),
    ColumnSpec("teacher", "contacts.col.teacher", computed=True, width=80),
]


@dataclass(frozen=True)
class ContactFilter:
    children: ChildFilter = ALL_CHILDREN
    date_from: date | None = None
    date_to: date | None = None
    child_id: int | None = None


def contact_columns(
    session: Session, actor: Actor, filters: ChildFilter | None = None
) -> list[ColumnSpec]:
    """The contact specs; new rows may pick the enrolled children matching `filters`
    (none when that is more than OPTIONS_CAP children: the page asks to filter first)."""
    labels = child_labels(
        session, actor, filters=replace(filters or ALL_CHILDREN, enrolment_status="enrolled")
    )
    options = tuple(labels.values()) if len(labels) <= OPTIONS_CAP else ()
    return [replace(s, options=options) if s.field == "child" else s for s in CONTACT_COLUMNS]


def _query(actor: Actor, filters: ContactFilter):  # type: ignore[no-untyped-def]
    visible = filtered_query(actor, filters.children).with_only_columns(Child.id)
    if actor.is_school_wide and filters.children == ALL_CHILDREN:
        # Most contacts qualify: walk the (school, date) index newest first and stop at a page.
        in_view = exists(visible.where(Child.id == Contact.child_id))
    else:
        # Few children: their contacts through the (child, date) index.
        in_view = Contact.child_id.in_(visible)
    teacher = aliased(User)
    query = (
        select(Contact, Child.name, teacher.display_name)
        .join(Child, Child.id == Contact.child_id)
        .outerjoin(teacher, teacher.id == Contact.teacher_id)
        .where(Contact.school_id == actor.school_id, Contact.deleted_at.is_(None), in_view)
    )
    if filters.date_from:
        query = query.where(Contact.contact_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Contact.contact_date <= filters.date_to)
    if filters.child_id:
        query = query.where(Contact.child_id == filters.child_id)
    return query


def list_contacts(
    session: Session, actor: Actor, filters: ContactFilter, offset: int = 0, limit: int = 100
) -> Page:
    """One page of contacts with the children the actor may see, newest first."""
    permissions.require(actor, Action.VIEW_CONTACTS, needs_school=True)
    query = _query(actor, filters)
    total, capped = count_capped(session, query, COUNT_CAP)
    rows = session.execute(
        query.order_by(Contact.contact_date.desc(), Contact.id.desc()).offset(offset).limit(limit)
    ).all()
    return Page(_frame(session, actor, rows), total, capped)


def load_contacts(session: Session, actor: Actor, ids: list[int]) -> pd.DataFrame:
    permissions.require(actor, Action.VIEW_CONTACTS, needs_school=True)
    rows = session.execute(_query(actor, ContactFilter()).where(Contact.id.in_(ids))).all()
    return _frame(session, actor, rows)


def _frame(session: Session, actor: Actor, rows: list[Any]) -> pd.DataFrame:
    ids = sorted({c.child_id for c, _, _ in rows})
    labels = child_labels(session, actor, enrolled_only=False, ids=ids) if rows else {}
    records = [
        {
            "id": c.id,
            "version": c.version,
            "child": labels.get(c.child_id, name),
            "contact_date": c.contact_date,
            "channel": c.channel.value,
            "counterpart": c.counterpart.value,
            "outcome": c.outcome.value if c.outcome else None,
            "summary": c.summary,
            "concerns": c.concerns,
            "follow_up_needed": c.follow_up_needed,
            "follow_up_date": c.follow_up_date,
            "teacher": teacher,
            "child_id": c.child_id,
        }
        for c, name, teacher in rows
    ]
    columns = ["id", "version", *(s.field for s in CONTACT_COLUMNS), "child_id"]
    return pd.DataFrame(records, columns=columns)


# ---- writes -----------------------------------------------------------------------------------


def _says_nothing(label: str, values: dict[str, Any]) -> list[Problem]:
    """A contact needs a summary or a chosen outcome (DESIGN.md §6)."""
    if is_empty(values.get("summary")) and is_empty(values.get("outcome")):
        summary = next(s for s in CONTACT_COLUMNS if s.field == "summary")
        return [problem(label, summary, values.get("summary"), "contacts.reason.says_nothing")]
    return []


def _date_problems(label: str, child: Child, values: dict[str, Any]) -> list[Problem]:
    by_field = {s.field: s for s in CONTACT_COLUMNS}
    problems = []
    when = values.get("contact_date")
    if when and child.birth_date and when < child.birth_date:
        problems.append(
            problem(label, by_field["contact_date"], when, "contacts.reason.before_birth")
        )
    follow = values.get("follow_up_date")
    if follow and when and follow < when:
        problems.append(
            problem(label, by_field["follow_up_date"], follow, "contacts.reason.follow_before")
        )
    return problems


def save_contacts(session: Session, actor: Actor, changes: GridChanges) -> SaveResult:
    """Validate every change, then write all of them or none."""
    permissions.require(actor, Action.EDIT_CONTACTS, needs_school=True)
    specs = contact_columns(session, actor)
    problems = check_changes(specs, actor, changes)
    by_label = {label: cid for cid, label in child_labels(session, actor).items()}

    existing = changed_rows(
        session, actor, Contact, changes, "contact",
        check=lambda contact: _visible_child(session, actor, contact.child_id),
    )  # fmt: skip
    new_children: list[Child | None] = []
    for label, values, contact in [
        *((u.label, u.values, existing[u.id]) for u in changes.updates),
        *((i.label, i.values, None) for i in changes.inserts),
    ]:
        child_id = by_label.get(values.pop("child", None)) or (contact and contact.child_id)
        child = _visible_child(session, actor, child_id) if child_id else None
        if contact is None:
            new_children.append(child)
        if child is None:
            continue  # the required-field problem is already listed
        if contact is not None and child.id != contact.child_id:
            values["child_id"] = child.id
        merged = {
            name: values[name] if name in values else contact and getattr(contact, name)
            for name in ("contact_date", "follow_up_date", "summary", "outcome")
        }
        problems += _date_problems(label, child, merged) + _says_nothing(label, merged)
    refuse(session, Contact, problems, changes)

    for update in changes.updates:
        update_row(
            session, actor, existing[update.id], update.version, _to_model(update.values),
            update.label,
        )  # fmt: skip
    for insert, child in zip(changes.inserts, new_children, strict=True):
        _create(session, actor, child, _to_model(insert.values))
    return delete_and_count(session, actor, existing, changes)


def _visible_child(session: Session, actor: Actor, child_id: int) -> Child:
    child = session.scalar(select(Child).where(Child.id == child_id, child_visibility(actor)))
    if child is None:
        raise NotAllowed("child outside the actor's scope")
    return child


def _to_model(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if out.get("channel") is not None:
        out["channel"] = ContactChannel(out["channel"])
    if out.get("counterpart") is not None:
        out["counterpart"] = Counterpart(out["counterpart"])
    if out.get("outcome") is not None:
        out["outcome"] = ContactOutcome(out["outcome"])
    if "follow_up_needed" in out:
        out["follow_up_needed"] = bool(out["follow_up_needed"])
    if out.get("follow_up_date"):
        out["follow_up_needed"] = True
    return out


def _create(session: Session, actor: Actor, child: Child, values: dict[str, Any]) -> Contact:
    contact = Contact(
        school_id=child.school_id, child_id=child.id, teacher_id=actor.user_id, **values
    )
    create_row(session, actor, contact)
    return contact


def record_contact(
    session: Session,
    actor: Actor,
    child_id: int,
    contact_date: date,
    channel: str,
    counterpart: str,
    summary: str = "",
    concerns: str = "",
    follow_up_date: date | None = None,
    outcome: str | None = None,
) -> int:
    """Quick entry after a visit or call: one contact for a child in the actor's scope.

    It must say something: a summary or an outcome (未接通 is recorded but meets no rule)."""
    permissions.require(actor, Action.EDIT_CONTACTS, needs_school=True)
    child = _visible_child(session, actor, child_id)
    values = {
        "contact_date": contact_date,
        "channel": channel,
        "counterpart": counterpart,
        "summary": summary,
        "outcome": outcome,
        "concerns": concerns,
        "follow_up_date": follow_up_date,
    }
    specs = [s for s in CONTACT_COLUMNS if s.field != "child"]
    problems = check_changes(specs, actor, GridChanges(inserts=[RowInsert(child.name, values)]))
    problems += _date_problems(child.name, child, values) + _says_nothing(child.name, values)
    if problems:
        raise ValidationFailed(problems)
    return _create(session, actor, child, _to_model(values)).id


def list_deleted_contacts(session: Session, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """Recently soft-deleted contacts of the school (principal/admin), newest first."""
    permissions.require(actor, Action.UNDELETE, needs_school=True)
    query = select(Contact.id, Child.name, Contact.contact_date).join(
        Child, Child.id == Contact.child_id
    )
    return list_deleted(session, actor, Contact, query, ["id", "name", "contact_date"], limit)


def restore_contacts(session: Session, actor: Actor, ids: list[int]) -> int:
    return restore_rows(session, actor, Contact, ids, needs_school=True)
