"""Rule-periods: each active rule × each of its periods that has begun, as a small VALUES table.

A school has a few dozen rule-periods a year. They are built in Python from the rules and the
term calendar and sent to the database as a VALUES table, with the rule's counterpart and channel
sets as bit masks, so matching a contact against a rule is arithmetic in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, String, cast, column, select, values
from sqlalchemy.orm import Session

from db.enums import Cadence, ContactChannel, Counterpart, RuleAppliesTo
from db.models import ContactRule, Term
from services.compliance.periods import Period, term_periods

COUNTERPART_BITS = {c.value: 1 << i for i, c in enumerate(Counterpart)}
CHANNEL_BITS = {c.value: 1 << i for i, c in enumerate(ContactChannel)}


@dataclass(frozen=True)
class RuleInfo:
    """The parts of a ContactRule the engine needs, as plain data."""

    id: int
    school_id: int
    name: str
    counterparts: tuple[str, ...]
    channels: tuple[str, ...]
    who: str
    cadence: Cadence
    phase: str | None
    key_only: bool
    sort_order: int


class RulePeriod(NamedTuple):
    """One row of the VALUES table: a rule in one of its periods."""

    rp_id: int
    rule_id: int
    school_id: int
    term_id: int
    key_only: int  # 1: key children only
    who: str
    p_start: date
    p_end: date
    month: str  # YYYY-MM of the period's end, cut at the range's end
    closed: int  # 1: the period ended before as_of
    cp_mask: int  # the rule's counterparts
    ch_mask: int  # the rule's channels (all bits: any channel)
    cadence: str
    pkey: str | None  # a contact date's month or week Monday maps to this (not for phases)
    pair_mask: int  # the allowed (counterpart, channel) pairs


_COLUMN_TYPES = {"p_start": Date, "p_end": Date, "who": String, "month": String}
_COLUMN_TYPES |= {"cadence": String, "pkey": String}


def load_rules(session: Session, school_ids: Sequence[int]) -> list[RuleInfo]:
    """Active, not deleted rules of the given schools, in display order."""
    rows = session.scalars(
        select(ContactRule)
        .where(
            ContactRule.school_id.in_(list(school_ids) or [-1]),
            ContactRule.active.is_(True),
            ContactRule.deleted_at.is_(None),
        )
        .order_by(ContactRule.school_id, ContactRule.sort_order, ContactRule.id)
    )
    return [
        RuleInfo(
            id=r.id,
            school_id=r.school_id,
            name=r.name,
            counterparts=tuple(str(c) for c in r.counterparts or []),
            channels=tuple(str(c) for c in r.channels or []),
            who=str(r.who),
            cadence=Cadence(r.cadence),
            phase=r.phase,
            key_only=RuleAppliesTo(r.applies_to) == RuleAppliesTo.KEY,
            sort_order=r.sort_order,
        )
        for r in rows
    ]


def _mask(members: Iterable[str], bits: dict[str, int]) -> int:
    """A set of counterparts/channels as a bit mask; an empty channel set means any channel."""
    chosen = set(members)
    if not chosen:
        return sum(bits.values())
    return sum(bits.get(v, 0) for v in chosen)


def pair_bit_index(counterpart: str, channel: str) -> int:
    """Where a (counterpart, channel) pair sits in a pair mask."""
    return list(COUNTERPART_BITS).index(counterpart) * len(CHANNEL_BITS) + list(CHANNEL_BITS).index(
        channel
    )


def _pair_mask(rule: RuleInfo) -> int:
    """The rule's allowed (counterpart, channel) pairs as one bit mask (24 bits)."""
    channels = rule.channels or tuple(CHANNEL_BITS)
    return sum(
        1 << pair_bit_index(cp, ch)
        for cp in set(rule.counterparts)
        for ch in set(channels)
        if cp in COUNTERPART_BITS and ch in CHANNEL_BITS
    )


def _period_key(period: Period) -> str | None:
    """What a contact's date maps to by arithmetic: its month, or the Monday of its week."""
    if period.cadence == Cadence.MONTHLY:
        return period.start.replace(day=1).isoformat()
    if period.cadence == Cadence.WEEKLY:
        return (period.start - timedelta(days=period.start.weekday())).isoformat()
    return None


def rule_period_rows(
    session: Session,
    school_ids: Sequence[int],
    start: date,
    end: date,
    as_of: date,
    cadence: Cadence | None = None,
) -> list[RulePeriod]:
    """Rule-periods overlapping [start, end]; only periods that have started by `as_of`; only
    the rules of `cadence` when given."""
    rules_by_school: dict[int, list[RuleInfo]] = {}
    for rule in load_rules(session, school_ids):
        if cadence is not None and rule.cadence != cadence:
            continue
        rules_by_school.setdefault(rule.school_id, []).append(rule)
    terms = session.scalars(
        select(Term).where(
            Term.school_id.in_(list(school_ids) or [-1]),
            Term.deleted_at.is_(None),
            Term.start_date <= end,
            Term.end_date >= start,
        )
    ).all()
    rows: list[RulePeriod] = []
    for term in terms:
        school_rules = rules_by_school.get(term.school_id, [])
        for cadence in {r.cadence for r in school_rules}:
            for period in term_periods(term, cadence):
                if period.start > end or period.end < start or period.start > as_of:
                    continue
                for rule in school_rules:
                    if rule.cadence != cadence or (rule.phase and rule.phase != period.phase):
                        continue
                    rows.append(_row(len(rows) + 1, rule, period, end, as_of))
    return rows


def _row(rp_id: int, rule: RuleInfo, period: Period, end: date, as_of: date) -> RulePeriod:
    return RulePeriod(
        rp_id=rp_id,
        rule_id=rule.id,
        school_id=period.school_id,
        term_id=period.term_id,
        key_only=1 if rule.key_only else 0,
        who=rule.who,
        p_start=period.start,
        p_end=period.end,
        month=min(period.end, end).strftime("%Y-%m"),
        closed=1 if period.end < as_of else 0,
        cp_mask=_mask(rule.counterparts, COUNTERPART_BITS) if rule.counterparts else 0,
        ch_mask=_mask(rule.channels, CHANNEL_BITS),
        cadence=period.cadence.value,
        pkey=_period_key(period),
        pair_mask=_pair_mask(rule),
    )


def as_date(session: Session, col: Any) -> Any:
    """VALUES dates arrive as text; PostgreSQL needs them typed, SQLite stores dates as text."""
    return cast(col, Date) if session.get_bind().dialect.name == "postgresql" else col


def values_table(rows: list[RulePeriod]) -> Any:
    """The rule-periods as a VALUES common table expression named `rule_periods`."""
    columns = [column(name, _COLUMN_TYPES.get(name, Integer)) for name in RulePeriod._fields]
    return values(*columns, name="rule_periods", literal_binds=True).data(rows).cte("rule_periods")
