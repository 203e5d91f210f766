"""县域汇总, the counts besides compliance: contacts by channel and care-activity participation,
per school and day (issue 15 item 4; tables in db/summary_models.py, migration 0008_county_facts).

One definition: the stored counts are what the live queries count (services/metrics/records.py
`contacts_by_channel`, services/care/participation_counts.py `participant_counts`) for a whole
school: enrolled, not deleted children of the school, their not deleted contacts, their attended,
not deleted participations at the school's not deleted activities. tests/services/
test_summary_facts.py compares them on random schools, periods and days on both backends.

- Contacts are additive: `contact_facts` holds contacts per school, day and channel, so any period
  is a sum.
- Participants (children who took part at least once) are not: a child taking part in October and
  in November is one participant of the term. `participation_facts` holds, per school and term
  window (the term's first to last day), the children taking part for the first time in the window
  on each day; the participants from the term's start up to any day of the term are then a sum.
  A period that is not a school's term so far (a month, a calendar year) is counted live.

They are refreshed with the compliance summary (services/metrics/summary.py `refresh_summary`)
from the same markers: a marked month recomputes its days (contacts) and the windows of the
school's terms overlapping it (participation); `*` recomputes the whole school. A reader counts
the stale schools live, so a figure never lags a save.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from db.enums import ActivityType, EnrolmentStatus
from db.models import Activity, Child, Contact, Participation, Term
from db.summary_models import ANY_TYPE, WHOLE_SCHOOL, ContactFacts, ParticipationFacts
from services.care.participation_counts import IS_LEFT_BEHIND, attended_condition

Counts = tuple[dict[tuple, int], dict]  # care's (participants, attendances) shape


def month_span(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM marker."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _school_children(school_id: int) -> list[ColumnElement[bool]]:
    return [
        Child.school_id == school_id,
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    ]


# --- writing (from refresh_summary, in its transaction) ---------------------------------------


def recompute_facts(session: Session, school_id: int, months: set[str]) -> None:
    """Recompute the school's facts for the marked months (`*`: all of them)."""
    whole = WHOLE_SCHOOL in months
    spans = [] if whole else [month_span(m) for m in sorted(months)]
    _contacts(session, school_id, None if whole else spans)
    terms = select(Term.id, Term.start_date, Term.end_date).where(
        Term.school_id == school_id, Term.deleted_at.is_(None)
    )
    facts = ParticipationFacts.__table__
    if whole:
        session.execute(delete(facts).where(facts.c.school_id == school_id))
    for term_id, start, end in session.execute(terms).all():
        if whole or any(s <= end and e >= start for s, e in spans):
            _participation(session, school_id, term_id, start, end)


def _contacts(session: Session, school_id: int, spans: list[tuple[date, date]] | None) -> None:
    facts = ContactFacts.__table__
    for span in [None] if spans is None else spans:  # None: every day of the school
        on_days = [] if span is None else [facts.c.day.between(*span)]
        session.execute(delete(facts).where(facts.c.school_id == school_id, *on_days))
        dated = [] if span is None else [Contact.contact_date.between(*span)]
        counted = (
            select(literal(school_id), Contact.contact_date, Contact.channel, func.count())
            .join(Child, Child.id == Contact.child_id)
            .where(
                Contact.school_id == school_id,
                Contact.deleted_at.is_(None),
                *_school_children(school_id),
                *dated,
            )
            .group_by(Contact.contact_date, Contact.channel)
        )
        session.execute(
            insert(facts).from_select(["school_id", "day", "channel", "contacts"], counted)
        )


def _participation(session: Session, school_id: int, term_id: int, start: date, end: date) -> None:
    facts = ParticipationFacts.__table__
    session.execute(delete(facts).where(facts.c.school_id == school_id, facts.c.term_id == term_id))
    attended = and_(
        attended_condition(),
        Activity.deleted_at.is_(None),
        Activity.school_id == school_id,
        Activity.activity_date.between(start, end),
        *_school_children(school_id),
    )
    base = (
        select()
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Child, Child.id == Participation.child_id)
        .where(attended)
    )
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # (type, lb, day) → [new, att]
    kind, lb, day = Activity.activity_type, IS_LEFT_BEHIND, Activity.activity_date
    for t, group, on, n in session.execute(
        base.add_columns(kind, lb, day, func.count()).group_by(kind, lb, day)
    ):
        for key in (_type(t), ANY_TYPE):
            rows[(key, int(group), on)][1] += int(n)
    for by_type in (True, False):
        keys = [kind] if by_type else []
        first = base.add_columns(*keys, lb.label("lb"), func.min(day).label("first_day"))
        first = first.group_by(Child.id, *keys, lb).subquery()
        columns = [first.c.activity_type] if by_type else []
        for *t, group, on, n in session.execute(
            select(*columns, first.c.lb, first.c.first_day, func.count()).group_by(
                *columns, first.c.lb, first.c.first_day
            )
        ):
            rows[(_type(t[0]) if by_type else ANY_TYPE, int(group), on)][0] += int(n)
    if rows:
        session.execute(
            insert(facts),
            [
                {"school_id": school_id, "term_id": term_id, "activity_type": t,
                 "left_behind": g, "day": on, "participants": new, "attendances": att}
                for (t, g, on), (new, att) in rows.items()
            ],
        )  # fmt: skip


def _type(value: object) -> str:
    return ActivityType(value).value


# --- reading -------------------------------------------------------------------------------------


def stored_contacts(
    session: Session, school_ids: list[int], start: date, last: date
) -> dict[str, int]:
    """channel (value) → contacts of the schools dated in [start, last]."""
    facts = ContactFacts.__table__
    query = (
        select(facts.c.channel, func.sum(facts.c.contacts))
        .where(facts.c.school_id.in_(school_ids or [-1]), facts.c.day.between(start, last))
        .group_by(facts.c.channel)
    )
    return {channel: int(n) for channel, n in session.execute(query)}


def term_windows(
    session: Session, school_ids: list[int], start: date, last: date
) -> dict[int, int]:
    """school → one of its terms that starts on `start` and lasts to `last` at least (the window
    that answers participation from `start` to `last`), for the schools of `school_ids` with one."""
    rows = session.execute(
        select(Term.school_id, func.max(Term.id))
        .where(
            Term.school_id.in_(school_ids or [-1]),
            Term.deleted_at.is_(None),
            Term.start_date == start,
            Term.end_date >= last,
        )
        .group_by(Term.school_id)
    )
    return {school_id: term_id for school_id, term_id in rows}


def stored_participation(
    session: Session, term_ids: list[int], last: date, by_type: bool
) -> Counts:
    """care's (participants, attendances) over the term windows up to `last`: keyed by
    ActivityType (by_type) or None, as `participant_counts` keys them."""
    facts = ParticipationFacts.__table__
    kind = facts.c.activity_type
    query = (
        select(kind, facts.c.left_behind, func.sum(facts.c.participants),
               func.sum(facts.c.attendances))
        .where(facts.c.term_id.in_(term_ids or [-1]), facts.c.day <= last,
               kind != ANY_TYPE if by_type else kind == ANY_TYPE)
        .group_by(kind, facts.c.left_behind)
    )  # fmt: skip
    participants: dict[tuple, int] = {}
    attendances: dict = defaultdict(int)
    for t, group, n, att in session.execute(query):
        key = ActivityType(t) if by_type else None
        participants[(key, int(group))] = int(n)
        attendances[key] += int(att)
    return participants, attendances


def add_counts(first: Counts, second: Counts) -> Counts:
    """Two (participants, attendances) of disjoint children, added."""
    participants: dict[tuple, int] = defaultdict(int)
    attendances: dict = defaultdict(int)
    for part, att in (first, second):
        for key, n in part.items():
            participants[key] += n
        for key, n in att.items():
            attendances[key] += n
    return dict(participants), attendances
