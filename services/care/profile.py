"""一人一档: everything about one child on one screen, as plain data.

Counselling notes are not part of `child_profile`: they are read with `counselling_notes`, which
writes a view_restricted audit row and so must run inside the page's `write_session`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Activity,
    Aid,
    Child,
    Classroom,
    Contact,
    LeftBehindHistory,
    Pairing,
    Participation,
    Term,
    User,
)
from services import permissions
from services.actor import Actor
from services.care import counselling, health
from services.care.aid import aid_visibility
from services.errors import NotAllowed
from services.growth.terms import child_terms
from services.permissions import Action
from services.records.child_columns import CHILD_COLUMNS
from services.records.children import missing_fields
from services.scope import ensure_child_visible


@dataclass
class ChildProfile:
    child_id: int
    name: str
    student_no: str
    classroom: str | None
    # field → stored value, only the archive fields the actor may see (CHILD_COLUMNS order)
    archive: dict[str, Any]
    missing: list[str]
    history: pd.DataFrame
    pairings: pd.DataFrame
    contacts: pd.DataFrame
    activities: pd.DataFrame
    health_checks: pd.DataFrame
    aid: pd.DataFrame | None  # None: this role sees no aid detail
    # 成长记录: services.growth.terms.child_terms of this child (results and observations)
    growth: pd.DataFrame = field(default_factory=pd.DataFrame)
    may_read_notes: bool = False


def child_profile(session: Session, actor: Actor, child_id: int) -> ChildProfile:
    """Archive card, left-behind history, pairings, contacts, activities, health checks, aid,
    and the growth record per term (after the visibility check: it follows the archive's rules)."""
    child = ensure_child_visible(session, actor, child_id)
    if child.deleted_at is not None:
        raise NotAllowed("deleted child")
    room = session.get(Classroom, child.classroom_id) if child.classroom_id else None
    archive: dict[str, Any] = {}
    for spec in CHILD_COLUMNS:
        if spec.computed or not spec.may_see(actor.role):
            continue
        value = (
            room.name if spec.field == "classroom" and room else getattr(child, spec.field, None)
        )
        archive[spec.field] = value.value if hasattr(value, "value") else value
    return ChildProfile(
        child_id=child.id,
        name=child.name,
        student_no=child.student_no,
        classroom=room.name if room else None,
        archive=archive,
        missing=[f.removesuffix("_id") for f in missing_fields(child)],
        history=_history(session, child_id),
        pairings=_pairings(session, child_id),
        contacts=_contacts(session, child_id),
        activities=_activities(session, child_id),
        health_checks=health.child_health_history(session, actor, child_id),
        aid=_aid(session, child_id) if _may_see_aid(session, actor, child_id) else None,
        growth=child_terms(session, [Child.id == child_id]),
        may_read_notes=permissions.allows(actor, Action.VIEW_COUNSELLING),
    )


def _may_see_aid(session: Session, actor: Actor, child_id: int) -> bool:
    """§5: aid detail for principal and admin, and for head teachers of the child's class only."""
    if not permissions.allows(actor, Action.VIEW_AID):
        return False
    return (
        session.scalar(select(Child.id).where(Child.id == child_id, aid_visibility(actor)))
        is not None
    )


def counselling_notes(session: Session, actor: Actor, child_id: int) -> pd.DataFrame:
    """The child's counselling notes (counsellor/principal/admin); audited as a restricted view."""
    ensure_child_visible(session, actor, child_id)
    return counselling.list_notes(session, actor, child_id=child_id)


def _frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _history(session: Session, child_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(
            LeftBehindHistory.left_behind_type,
            LeftBehindHistory.valid_from,
            LeftBehindHistory.valid_to,
            LeftBehindHistory.note,
        )
        .where(LeftBehindHistory.child_id == child_id)
        .order_by(LeftBehindHistory.valid_from.desc(), LeftBehindHistory.id.desc())
    ).all()
    return _frame(
        [(_plain(t), f, to, n) for t, f, to, n in rows],
        ["left_behind_type", "valid_from", "valid_to", "note"],
    )


def _pairings(session: Session, child_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(Term.name, User.display_name, Pairing.start_date, Pairing.end_date, Pairing.goal)
        .join(Term, Term.id == Pairing.term_id)
        .join(User, User.id == Pairing.teacher_id)
        .where(Pairing.child_id == child_id, Pairing.deleted_at.is_(None))
        .order_by(Term.start_date.desc(), Pairing.id)
    ).all()
    return _frame(rows, ["term", "teacher", "start_date", "end_date", "goal"])


def _contacts(session: Session, child_id: int, limit: int = 200) -> pd.DataFrame:
    rows = session.execute(
        select(
            Contact.contact_date,
            Contact.channel,
            Contact.counterpart,
            User.display_name,
            Contact.summary,
            Contact.concerns,
            Contact.follow_up_date,
        )
        .outerjoin(User, User.id == Contact.teacher_id)
        .where(Contact.child_id == child_id, Contact.deleted_at.is_(None))
        .order_by(Contact.contact_date.desc(), Contact.id.desc())
        .limit(limit)
    ).all()
    return _frame(
        [(d, _plain(ch), _plain(cp), who, s, c, f) for d, ch, cp, who, s, c, f in rows],
        ["contact_date", "channel", "counterpart", "teacher", "summary", "concerns", "follow_up"],
    )


def _activities(session: Session, child_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(
            Activity.activity_date,
            Activity.title,
            Activity.activity_type,
            Participation.attended,
            Participation.note,
        )
        .join(Activity, Activity.id == Participation.activity_id)
        .where(
            Participation.child_id == child_id,
            Participation.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .order_by(Activity.activity_date.desc())
    ).all()
    return _frame(
        [(d, title, _plain(kind), bool(a), n) for d, title, kind, a, n in rows],
        ["activity_date", "title", "activity_type", "attended", "note"],
    )


def _aid(session: Session, child_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(Term.name, Aid.kind, Aid.sponsor, Aid.amount, Aid.granted_on, Aid.note)
        .outerjoin(Term, Term.id == Aid.term_id)
        .where(Aid.child_id == child_id, Aid.deleted_at.is_(None))
        .order_by(Aid.granted_on.desc(), Aid.id.desc())
    ).all()
    return _frame(
        [(term, _plain(k), s, float(a), g, n) for term, k, s, a, g, n in rows],
        ["term", "kind", "sponsor", "amount", "granted_on", "note"],
    )
