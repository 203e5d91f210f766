"""The first-week checklist (#14): what a new school still has to do, with live figures.

Five steps, in the order a school does them: the term calendar (a term running today or still to
come), the contact rules (at least one active), the staff (active accounts besides the
administrators), the children's archives (at least one child, 建档率 100 %), and pairing (at least
one pairing this term and every key child paired). The figures are the metrics package's own
(headcounts, 建档率, pairing coverage), so the checklist says what 总览 and the report say.
The home page shows it to school leaders of a new school (`checklist`: set up in the last
NEW_SCHOOL_DAYS days, not the demo) until every step is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import ContactRule, School, Term, User
from services.actor import Actor
from services.clock import day_start_utc
from services.errors import NotAllowed
from services.installation import Kind, read_marker
from services.metrics.archive import archive_figures
from services.metrics.headcounts import headcounts
from services.metrics.pairing import pairing_figures
from services.metrics.scope import EVERYONE, Period, month_of, term_period

CHECKLIST_ROLES = (Role.ADMIN, Role.PRINCIPAL)
STAFF_ROLES = (Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR)
STEPS = ("term", "rules", "staff", "children", "pairing")
NEW_SCHOOL_DAYS = 60


@dataclass(frozen=True)
class Step:
    key: str  # one of STEPS
    done: bool
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FirstWeek:
    steps: list[Step]

    @property
    def all_done(self) -> bool:
        return all(step.done for step in self.steps)


def checklist(session: Session, actor: Actor, as_of: date) -> FirstWeek | None:
    """The checklist to show on the home page, or None: not a school leader, not a new school,
    or every step done."""
    if actor.role not in CHECKLIST_ROLES or actor.school_id is None:
        return None
    if not is_new_school(session, actor.school_id, as_of):
        return None
    status = first_week_status(session, actor, as_of)
    return None if status.all_done else status


def is_new_school(session: Session, school_id: int, as_of: date) -> bool:
    """Created in the last NEW_SCHOOL_DAYS days, and not one of the demo's schools."""
    marker = read_marker(session) or {}
    if marker.get("kind") == Kind.DEMO and school_id in (marker.get("schools") or []):
        return False
    created = session.scalar(select(School.created_at).where(School.id == school_id))
    since = day_start_utc(as_of - timedelta(days=NEW_SCHOOL_DAYS))
    return created is not None and _aware(created) >= since


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_week_status(session: Session, actor: Actor, as_of: date) -> FirstWeek:
    """Each step's figures and whether it is done, for the actor's school."""
    if actor.role not in CHECKLIST_ROLES or actor.school_id is None:
        raise NotAllowed("the first-week checklist is for school leaders")
    school_id = actor.school_id
    term = _current_or_next_term(session, school_id, as_of)
    rules = session.scalar(
        select(func.count(ContactRule.id)).where(
            ContactRule.school_id == school_id,
            ContactRule.deleted_at.is_(None),
            ContactRule.active.is_(True),
        )
    )
    staff = session.scalar(
        select(func.count(User.id)).where(
            User.school_id == school_id,
            User.deleted_at.is_(None),
            User.active.is_(True),
            User.role.in_(STAFF_ROLES),
        )
    )
    heads = headcounts(session, actor, EVERYONE, None, as_of)
    archive = archive_figures(session, actor, EVERYONE, None, as_of)
    period = _pairing_period(term, as_of)
    pairing = pairing_figures(session, actor, EVERYONE, period, as_of)
    archive_done = heads.children > 0 and (archive.rate is None or archive.rate >= 1.0)
    pairing_done = (
        heads.left_behind > 0 and pairing.pairs > 0 and pairing.paired_key == pairing.key_children
    )
    return FirstWeek(
        [
            Step("term", term is not None, {"term": term.name if term else ""}),
            Step("rules", bool(rules), {"rules": int(rules or 0)}),
            Step("staff", bool(staff), {"staff": int(staff or 0)}),
            Step(
                "children",
                archive_done,
                {"children": heads.children, "archive_rate": archive.rate},
            ),
            Step(
                "pairing",
                pairing_done,
                {
                    "paired": pairing.paired_left_behind,
                    "left_behind": heads.left_behind,
                    "key_children": pairing.key_children,
                    "paired_key": pairing.paired_key,
                },
            ),
        ]
    )


def _current_or_next_term(session: Session, school_id: int, as_of: date) -> Term | None:
    """The term running on `as_of`, else the next one to start."""
    return session.scalars(
        select(Term)
        .where(Term.school_id == school_id, Term.deleted_at.is_(None), Term.end_date >= as_of)
        .order_by(Term.start_date)
        .limit(1)
    ).first()


def _pairing_period(term: Term | None, as_of: date) -> Period:
    """Pairings count in the running term; between terms (or without one) in this month."""
    if term is not None and term.start_date <= as_of:
        return term_period(term.name, term.start_date, term.end_date)
    return month_of(as_of)
