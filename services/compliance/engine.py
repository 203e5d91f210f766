"""Contact compliance (联系达标率, DESIGN.md §6), computed in the database.

Vocabulary (docs/compliance.md "Definitions" says the same in plain words):

- A *period* of a rule is a calendar month, a Monday–Sunday week, or a term phase (期初/期中/期末),
  clipped to the term's dates. A period with no school day (all of it a holiday) is not a period.
- A (child, rule, period) is *due* when the period has started (start ≤ as_of), the child belongs to
  the rule (a left-behind child, or a key child for key-only rules) and was enrolled for the whole
  period (enrolled_on ≤ period start, left_on ≥ period end).
- It is *met* when a contact with the child, whose counterpart and channel are in the rule's sets,
  falls in the period. *Overdue*: due, not met, and the period has ended. *Pending*: due, not met,
  and the period is still running. Rate = met / due.
- The responsible teacher is the class's head teacher, or for paired-teacher rules the child's
  paired teacher of that term (the head teacher when the child has no pair).

Rule-periods are a few dozen rows per school built in Python and sent as a VALUES table (with
the rule's counterpart/channel sets as bit masks); children × rule-periods and the "met" test run
as one SQL aggregate. Contacts are never loaded into Python. "Met" is found in one of two ways
with the same answer: on SQLite one index-only look-up per due row (covering index
ix_contacts_child_date_match); on PostgreSQL per-child month/week bit_or summaries built in one
grouped, parallel pass over the contacts (a county has over a million due rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    values,
)
from sqlalchemy.orm import Session

from db.enums import (
    Cadence,
    ContactChannel,
    Counterpart,
    EnrolmentStatus,
    LeftBehindType,
    RuleAppliesTo,
    RuleWho,
)
from db.models import Child, Classroom, Contact, ContactRule, Pairing, School, Term, User
from services.accounts.actor import Actor
from services.compliance.periods import Period, term_periods
from services.masking import mask_name
from services.scope import child_visibility, school_ids_in_view

# Where "met" is computed from grouped per-child summaries (bit_or, PostgreSQL only) instead
# of one correlated index look-up per due row; both give the same answer (tests run both).
SET_BASED_DIALECTS = frozenset({"postgresql"})
COUNTERPART_BITS = {c.value: 1 << i for i, c in enumerate(Counterpart)}
CHANNEL_BITS = {c.value: 1 << i for i, c in enumerate(ContactChannel)}
COUNT_COLUMNS = ["due", "met", "overdue", "pending", "rate"]
# by-key -> output columns (ids first, then the display name joined afterwards).
BY_COLUMNS: dict[str, list[str]] = {
    "school": ["school_id", "school_name"],
    "term": ["term_id", "term_name"],
    "rule": ["rule_id", "rule_name"],
    "month": ["month"],
    "period": ["period_start", "period_end"],
    "grade": ["grade"],
    "classroom": ["classroom_id", "classroom_name"],
    "teacher": ["teacher_id", "teacher_name"],
    "child": ["child_id", "child_name"],
}


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


def _mask(values: Iterable[str], bits: dict[str, int]) -> int:
    """A set of counterparts/channels as a bit mask; an empty channel set means any channel."""
    members = list(values)
    if not members:
        return sum(bits.values())
    return sum(bits.get(v, 0) for v in set(members))


def _pair_bit_index(counterpart: str, channel: str) -> int:
    return list(COUNTERPART_BITS).index(counterpart) * len(CHANNEL_BITS) + list(CHANNEL_BITS).index(
        channel
    )


def _pair_mask(rule: RuleInfo) -> int:
    """The rule's allowed (counterpart, channel) pairs as one bit mask (24 bits)."""
    channels = rule.channels or tuple(CHANNEL_BITS)
    return sum(
        1 << _pair_bit_index(cp, ch)
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


def _rule_period_rows(
    session: Session, school_ids: Sequence[int], start: date, end: date, as_of: date
) -> list[tuple]:
    """Rule-period rows for the VALUES table; only periods that have started by `as_of`."""
    rules = load_rules(session, school_ids)
    terms = session.scalars(
        select(Term).where(
            Term.school_id.in_(list(school_ids) or [-1]),
            Term.deleted_at.is_(None),
            Term.start_date <= end,
            Term.end_date >= start,
        )
    ).all()
    rules_by_school: dict[int, list[RuleInfo]] = {}
    for rule in rules:
        rules_by_school.setdefault(rule.school_id, []).append(rule)
    rp_rows: list[tuple] = []
    for term in terms:
        school_rules = rules_by_school.get(term.school_id, [])
        for cadence in {r.cadence for r in school_rules}:
            for period in term_periods(term, cadence):
                if period.start > end or period.end < start or period.start > as_of:
                    continue
                month = min(period.end, end).strftime("%Y-%m")
                closed = 1 if period.end < as_of else 0
                for rule in school_rules:
                    if rule.cadence != cadence or (rule.phase and rule.phase != period.phase):
                        continue
                    rp_rows.append(
                        (
                            len(rp_rows) + 1,
                            rule.id,
                            term.school_id,
                            term.id,
                            1 if rule.key_only else 0,
                            rule.who,
                            period.start,
                            period.end,
                            month,
                            closed,
                            _mask(rule.counterparts, COUNTERPART_BITS) if rule.counterparts else 0,
                            _mask(rule.channels, CHANNEL_BITS),
                            cadence.value,
                            _period_key(period),
                            _pair_mask(rule),
                        )
                    )
    return rp_rows


def _values_table(rp_rows: list[tuple]):  # type: ignore[no-untyped-def]
    return (
        values(
            column("rp_id", Integer),
            column("rule_id", Integer),
            column("school_id", Integer),
            column("term_id", Integer),
            column("key_only", Integer),
            column("who", String),
            column("p_start", Date),
            column("p_end", Date),
            column("month", String),
            column("closed", Integer),
            column("cp_mask", Integer),
            column("ch_mask", Integer),
            column("cadence", String),
            column("pkey", String),
            column("pair_mask", Integer),
            name="rule_periods",
            literal_binds=True,
        )
        .data(rp_rows)
        .cte("rule_periods")
    )


def _bit_of(col: Any, bits: dict[str, int]) -> Any:
    return case(*((col == value, bit) for value, bit in bits.items()), else_=0)


def _as_date(session: Session, col: Any) -> Any:
    """VALUES dates arrive as text; PostgreSQL needs them typed, SQLite stores dates as text."""
    return cast(col, Date) if session.get_bind().dialect.name == "postgresql" else col


def _met_exists(rp: Any, p_start: Any, p_end: Any) -> Any:
    """Per due row, one index-only range scan on contacts (child_id, contact_date, ...).

    The rule's counterpart and channel sets are bit masks, so the match is arithmetic."""
    return exists(
        select(literal(1))
        .select_from(Contact)
        .where(
            Contact.child_id == Child.id,
            Contact.contact_date >= p_start,
            Contact.contact_date <= p_end,
            Contact.deleted_at.is_(None),
            rp.c.cp_mask.op("&")(_bit_of(Contact.counterpart, COUNTERPART_BITS)) != 0,
            rp.c.ch_mask.op("&")(_bit_of(Contact.channel, CHANNEL_BITS)) != 0,
        )
    )


def _pair_bit() -> Any:
    """SQL: 1 << (counterpart index * 6 + channel index) of a contact row."""
    cp_index = case(
        *(
            (Contact.counterpart == v, i * len(CHANNEL_BITS))
            for i, v in enumerate(COUNTERPART_BITS)
        ),
        else_=0,
    )
    ch_index = case(*((Contact.channel == v, i) for i, v in enumerate(CHANNEL_BITS)), else_=0)
    return literal(1).op("<<")(cp_index + ch_index)


def _met_summaries(
    session: Session, rp: Any, school_ids: Sequence[int], rp_rows: list[tuple], child_id: int | None
) -> tuple[Any, Any, Any]:
    """PostgreSQL: per child and month / week, the bit_or of the contacts' (counterpart, channel)
    pairs inside term time; per child and term-phase period, whether a matching contact exists.

    One grouped pass over the contacts replaces a million correlated look-ups; a rule-period is
    met when its pair mask shares a bit with the child's summary for that month or week.
    """
    day = Contact.contact_date
    in_term = (
        select(Term.id)
        .where(
            Term.school_id == Contact.school_id,
            Term.deleted_at.is_(None),
            Term.start_date <= day,
            Term.end_date >= day,
        )
        .exists()
    )
    base = [
        Contact.school_id.in_(list(school_ids)),
        day >= min(row[6] for row in rp_rows),
        day <= max(row[7] for row in rp_rows),
        Contact.deleted_at.is_(None),
        in_term,
    ]
    if child_id is not None:
        base.append(Contact.child_id == child_id)
    bit = _pair_bit()

    unions = dict.fromkeys(Cadence, 0)  # every pair any rule of that cadence accepts
    for row in rp_rows:
        unions[Cadence(row[12])] |= row[14]

    def summary(cadence: Cadence, unit: str, name: str) -> Any:
        key = cast(func.date_trunc(unit, day), Date)
        return (
            select(Contact.child_id, key.label("pkey"), func.bit_or(bit).label("mask"))
            .where(*base, bit.op("&")(unions[cadence]) != 0)
            .group_by(Contact.child_id, key)
            .cte(name)
        )

    phase_union = unions[Cadence.TERM_PHASE]
    p_start, p_end = _as_date(session, rp.c.p_start), _as_date(session, rp.c.p_end)
    phase_pairs = (
        select(Contact.child_id, rp.c.rp_id)
        .select_from(Contact)
        .join(
            rp,
            and_(
                rp.c.school_id == Contact.school_id,
                rp.c.cadence == Cadence.TERM_PHASE.value,
                day >= p_start,
                day <= p_end,
                rp.c.pair_mask.op("&")(bit) != 0,
            ),
        )
        .where(*base, bit.op("&")(phase_union) != 0)
        .distinct()
        .cte("phase_pairs")
    )
    months = summary(Cadence.MONTHLY, "month", "month_masks")
    return months, summary(Cadence.WEEKLY, "week", "week_masks"), phase_pairs


def due_rows(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    grade: int | None = None,
    classroom_id: int | None = None,
    teacher_id: int | None = None,
    child_id: int | None = None,
    school_id: int | None = None,
    as_of: date | None = None,
    with_teacher: bool = True,
) -> Select | None:
    """The SELECT of one row per due (child, rule, period) with `met`, or None if nothing is due."""
    as_of = as_of or date.today()
    school_ids = school_ids_in_view(session, actor)
    if school_id is not None:
        school_ids = [s for s in school_ids if s == school_id]
    rp_rows = _rule_period_rows(session, school_ids, start, end, as_of)
    if not rp_rows:
        return None
    rp = _values_table(rp_rows)
    p_start, p_end = _as_date(session, rp.c.p_start), _as_date(session, rp.c.p_end)

    set_based = session.get_bind().dialect.name in SET_BASED_DIALECTS
    if set_based:
        # The summaries of a county year outgrow PostgreSQL's default 4 MB work_mem and would
        # sort on disk. Scoped to this (read) transaction.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        months, weeks, phases = _met_summaries(session, rp, school_ids, rp_rows, child_id)
        pkey = _as_date(session, rp.c.pkey)
        met: Any = case(
            (rp.c.pair_mask.op("&")(func.coalesce(months.c.mask, 0)) != 0, 1),
            (rp.c.pair_mask.op("&")(func.coalesce(weeks.c.mask, 0)) != 0, 1),
            (phases.c.child_id.is_not(None), 1),
            else_=0,
        )
    else:
        met = case((_met_exists(rp, p_start, p_end), 1), else_=0)
    teacher = Classroom.head_teacher_id
    if with_teacher or teacher_id is not None:
        paired = (
            select(func.min(Pairing.teacher_id))
            .where(
                Pairing.child_id == Child.id,
                Pairing.term_id == rp.c.term_id,
                Pairing.deleted_at.is_(None),
                or_(Pairing.start_date.is_(None), Pairing.start_date <= p_end),
                or_(Pairing.end_date.is_(None), Pairing.end_date >= p_start),
            )
            .scalar_subquery()
        )
        teacher = case(
            (
                rp.c.who == RuleWho.PAIRED_TEACHER.value,
                func.coalesce(paired, Classroom.head_teacher_id),
            ),
            else_=Classroom.head_teacher_id,
        )
    belongs = case(
        (rp.c.key_only == 1, Child.is_key.is_(True)),
        else_=Child.left_behind_type != LeftBehindType.NONE.value,
    )
    query = (
        select(
            rp.c.school_id,
            rp.c.term_id,
            rp.c.rule_id,
            rp.c.month,
            rp.c.p_start.label("period_start"),
            rp.c.p_end.label("period_end"),
            rp.c.closed,
            Child.id.label("child_id"),
            Child.classroom_id.label("classroom_id"),
            Classroom.grade.label("grade"),
            teacher.label("teacher_id"),
            met.label("met"),
        )
        .select_from(rp)
        .join(Child, Child.school_id == rp.c.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            Child.deleted_at.is_(None),
            child_visibility(actor),
            belongs,
            or_(Child.enrolled_on.is_(None), Child.enrolled_on <= p_start),
            or_(Child.left_on.is_(None), Child.left_on >= p_end),
            or_(
                Child.enrolment_status == EnrolmentStatus.ENROLLED.value,
                Child.left_on.is_not(None),
            ),
        )
    )
    if set_based:
        query = (
            query.outerjoin(
                months,
                and_(
                    rp.c.cadence == Cadence.MONTHLY.value,
                    months.c.child_id == Child.id,
                    months.c.pkey == pkey,
                ),
            )
            .outerjoin(
                weeks,
                and_(
                    rp.c.cadence == Cadence.WEEKLY.value,
                    weeks.c.child_id == Child.id,
                    weeks.c.pkey == pkey,
                ),
            )
            .outerjoin(phases, and_(phases.c.child_id == Child.id, phases.c.rp_id == rp.c.rp_id))
        )
    if grade is not None:
        query = query.where(Classroom.grade == grade)
    if classroom_id is not None:
        query = query.where(Child.classroom_id == classroom_id)
    if child_id is not None:
        query = query.where(Child.id == child_id)
    if teacher_id is not None:
        query = query.where(teacher == teacher_id)
    return query


def compliance_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    by: Sequence[str] = ("rule",),
    grade: int | None = None,
    classroom_id: int | None = None,
    teacher_id: int | None = None,
    child_id: int | None = None,
    *,
    school_id: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Due, met, overdue, pending and rate for [start, end], grouped `by` any of BY_COLUMNS' keys.

    Columns: the by-columns (e.g. rule → rule_id, rule_name), then due, met, overdue, pending, rate.
    `by=()` gives one total row. Periods are counted when they overlap [start, end]; in a by-month
    breakdown a period belongs to the month it ends in (cut at `end`).
    """
    unknown = [key for key in by if key not in BY_COLUMNS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}")
    out_columns = [c for key in by for c in BY_COLUMNS[key]] + COUNT_COLUMNS
    rows = due_rows(
        session,
        actor,
        start,
        end,
        grade=grade,
        classroom_id=classroom_id,
        teacher_id=teacher_id,
        child_id=child_id,
        school_id=school_id,
        as_of=as_of,
        with_teacher="teacher" in by,
    )
    if rows is None:
        return _empty_total(out_columns, by)
    detail = rows.subquery("due_rows")
    keys = [_key_column(detail, key) for key in by]
    key_cols = [c for group in keys for c in group]
    aggregate = (
        select(
            *key_cols,
            func.count().label("due"),
            func.sum(detail.c.met).label("met"),
            func.sum(case((and_(detail.c.met == 0, detail.c.closed == 1), 1), else_=0)).label(
                "overdue"
            ),
        )
        .group_by(*key_cols)
        .subquery("agg")
    )
    frame = _with_names(session, aggregate, by)
    if frame.empty:
        return _empty_total(out_columns, by)
    for name in ("due", "met", "overdue"):
        frame[name] = frame[name].fillna(0).astype(int)
    frame["pending"] = frame["due"] - frame["met"] - frame["overdue"]
    frame["rate"] = (frame["met"] / frame["due"]).where(frame["due"] > 0)
    for name in ("period_start", "period_end"):
        if name in frame:
            frame[name] = frame[name].map(_to_date)
    if actor.sees_masked and "child_name" in frame:
        frame["child_name"] = frame["child_name"].map(mask_name)
    return frame[out_columns].reset_index(drop=True)


def _key_column(detail: Any, key: str) -> list[Any]:
    if key == "period":
        return [detail.c.period_start, detail.c.period_end]
    return [detail.c[BY_COLUMNS[key][0]]]


_NAME_SOURCES: dict[str, tuple[Any, Any, Any]] = {
    "school": (School, School.id, School.name),
    "term": (Term, Term.id, Term.name),
    "rule": (ContactRule, ContactRule.id, ContactRule.name),
    "classroom": (Classroom, Classroom.id, Classroom.name),
    "teacher": (User, User.id, User.display_name),
    "child": (Child, Child.id, Child.name),
}


def _with_names(session: Session, aggregate: Any, by: Sequence[str]) -> pd.DataFrame:
    """Run the aggregate, joining display names for the id columns and ordering sensibly."""
    columns: list[Any] = list(aggregate.c)
    query = select(*columns).select_from(aggregate)
    order: list[Any] = []
    for key in by:
        if key in _NAME_SOURCES:
            entity, id_col, name_col = _NAME_SOURCES[key]
            alias_target = entity.__table__.alias(f"n_{key}")
            id_alias = alias_target.c[id_col.key]
            name_alias = alias_target.c[name_col.key]
            query = query.outerjoin(alias_target, id_alias == aggregate.c[BY_COLUMNS[key][0]])
            query = query.add_columns(name_alias.label(BY_COLUMNS[key][1]))
            if key == "rule":
                order.append(alias_target.c.sort_order)
            if key == "classroom":
                order.extend([alias_target.c.grade, alias_target.c.number])
            order.append(name_alias if key != "classroom" else id_alias)
        else:
            order.extend(aggregate.c[c] for c in BY_COLUMNS[key])
    result = session.execute(query.order_by(*order))
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def _empty_total(out_columns: list[str], by: Sequence[str]) -> pd.DataFrame:
    if by:
        return pd.DataFrame(columns=out_columns)
    return pd.DataFrame([{"due": 0, "met": 0, "overdue": 0, "pending": 0, "rate": None}])


def compliance_rows(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    teacher_id: int | None = None,
    classroom_id: int | None = None,
    only_unmet: bool = True,
    as_of: date | None = None,
) -> pd.DataFrame:
    """One row per due (child, rule, period) with status, for short lists such as 我的待办.

    Columns: child_id, child_name, classroom_name, rule_id, rule_name, counterparts, channels,
    period_start, period_end, met (bool), overdue (bool), teacher_id.
    """
    columns = [
        "child_id",
        "child_name",
        "classroom_name",
        "rule_id",
        "rule_name",
        "counterparts",
        "channels",
        "period_start",
        "period_end",
        "met",
        "overdue",
        "teacher_id",
    ]
    rows = due_rows(
        session,
        actor,
        start,
        end,
        teacher_id=teacher_id,
        classroom_id=classroom_id,
        as_of=as_of,
    )
    if rows is None:
        return pd.DataFrame(columns=columns)
    detail = rows.subquery("due_rows")
    query = (
        select(
            detail.c.child_id,
            Child.name.label("child_name"),
            Classroom.name.label("classroom_name"),
            detail.c.rule_id,
            ContactRule.name.label("rule_name"),
            ContactRule.counterparts,
            ContactRule.channels,
            detail.c.period_start,
            detail.c.period_end,
            detail.c.met,
            detail.c.closed,
            detail.c.teacher_id,
        )
        .join(Child, Child.id == detail.c.child_id)
        .outerjoin(Classroom, Classroom.id == detail.c.classroom_id)
        .join(ContactRule, ContactRule.id == detail.c.rule_id)
        .order_by(Classroom.grade, Classroom.number, Child.name, ContactRule.sort_order)
    )
    if only_unmet:
        query = query.where(detail.c.met == 0)
    records = []
    for row in session.execute(query).mappings():
        record = dict(row)
        record["met"] = bool(record["met"])
        record["overdue"] = not record["met"] and bool(record.pop("closed"))
        record["period_start"] = _to_date(record["period_start"])
        record["period_end"] = _to_date(record["period_end"])
        records.append(record)
    frame = pd.DataFrame(records, columns=columns)
    if actor.sees_masked:
        frame["child_name"] = frame["child_name"].map(mask_name)
    return frame


def _to_date(value: object) -> object:
    return date.fromisoformat(value) if isinstance(value, str) else value
