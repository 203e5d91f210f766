"""Builders for compliance test cases: rules and a term calendar with chosen holidays."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from db.enums import (
    Cadence,
    ContactChannel,
    ContactOutcome,
    Counterpart,
    RuleAppliesTo,
    RuleWho,
)
from db.models import Contact, ContactRule, School, Term
from tests.factories import added, make_pairing, make_term


def make_rule(
    session: Session,
    school: School,
    name: str,
    counterparts: list[Counterpart],
    channels: list[ContactChannel],
    cadence: Cadence = Cadence.MONTHLY,
    *,
    phase: str | None = None,
    applies_to: RuleAppliesTo = RuleAppliesTo.LEFT_BEHIND,
    who: RuleWho = RuleWho.HEAD_TEACHER,
    sort_order: int = 0,
) -> ContactRule:
    rule = ContactRule(
        school_id=school.id,
        name=name,
        counterparts=[c.value for c in counterparts],
        channels=[c.value for c in channels],
        cadence=cadence,
        phase=phase,
        applies_to=applies_to,
        who=who,
        sort_order=sort_order,
    )
    return added(session, rule)


def make_key_talk_rule(
    session: Session, school: School, who: RuleWho = RuleWho.HEAD_TEACHER, sort_order: int = 0
) -> ContactRule:
    """重点儿童每周谈心: a weekly meeting with each key child."""
    return make_rule(
        session,
        school,
        "重点儿童每周谈心",
        [Counterpart.CHILD],
        [ContactChannel.MEETING],
        Cadence.WEEKLY,
        applies_to=RuleAppliesTo.KEY,
        who=who,
        sort_order=sort_order,
    )


def make_autumn_term(session: Session, school: School, holidays: list[tuple[str, str]]) -> Term:
    """2026-09-01 … 2027-01-20; phases 期初 9/1–9/30, 期中 10/26–11/20, 期末 12/21–1/20."""
    breaks = [{"name": "假期", "start": a, "end": b} for a, b in holidays]
    return make_term(session, school, holidays=breaks)


def log_contact(
    session: Session,
    child,  # type: ignore[no-untyped-def]
    on: date,
    counterpart: Counterpart,
    channel: ContactChannel,
    teacher=None,  # type: ignore[no-untyped-def]
    *,
    summary: str | None = "已联系",
    outcome: ContactOutcome | None = None,
) -> Contact:
    """A contact as written straight to the table (not through the service's validation)."""
    contact = Contact(
        school_id=child.school_id,
        child_id=child.id,
        teacher_id=teacher.id if teacher else None,
        contact_date=on,
        counterpart=counterpart,
        channel=channel,
        summary=summary,
        **({"outcome": outcome} if outcome else {}),
    )
    return added(session, contact)


pair = make_pairing  # the name the compliance tests know it by
