"""The county facts (services/metrics/summary_facts.py: contacts by channel and participation per
school and day) answer exactly what the live queries answer, for random schools (a principal's
school or the bureau's county), terms, months and days, on SQLite and PostgreSQL; and a write —
a contact, a participation, an activity moved, a child leaving — marks its school (an edit of a
field no figure reads does not), is counted live at once and is in the facts after the refresh.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import ContactChannel, Counterpart, EnrolmentStatus, LeftBehindType, Role
from db.models import Activity, Child, Contact, Participation, School, Term
from db.summary_models import WHOLE_SCHOOL, ContactFacts, ParticipationFacts, SummaryStale
from services.actor import Actor
from services.metrics.participation import (
    participation_by_activity_type,
    participation_figures,
)
from services.metrics.records import contacts_by_channel
from services.metrics.scope import EVERYONE, Period, month_period, term_period
from services.metrics.summary import refresh_summary, stale_schools
from tests.services import test_county_summary as summary_tests
from tests.services.test_county_summary import actor_of_role

DAYS = [date(2026, 3, 15), date(2026, 9, 3), date(2026, 9, 30), date(2026, 10, 16),
        date(2026, 11, 28), date(2026, 12, 31), date(2027, 3, 1)]  # fmt: skip
MONTHS = [month_period(2026, m) for m in (3, 9, 10, 11)]


county = summary_tests.county  # three seeded schools, summarised (a fixture)


def terms(session: Session) -> list[Period]:
    rows = session.execute(
        select(Term.name, func.min(Term.start_date), func.max(Term.end_date)).group_by(Term.name)
    )
    return [term_period(name, start, end) for name, start, end in rows]


def figures(session: Session, actor: Actor, period: Period, as_of: date) -> tuple:
    return (
        contacts_by_channel(session, actor, EVERYONE, period, as_of),
        participation_by_activity_type(session, actor, EVERYONE, period, as_of),
        participation_figures(session, actor, EVERYONE, period, as_of),
    )


def live_figures(session: Session, actor: Actor, period: Period, as_of: date) -> tuple:
    """The same, every school marked stale (so counted live), markers removed again."""
    schools = session.scalars(select(School.id)).all()
    marked = set(session.execute(select(SummaryStale.school_id, SummaryStale.month)).all())
    new = [
        {"school_id": s, "month": WHOLE_SCHOOL} for s in schools if (s, WHOLE_SCHOOL) not in marked
    ]
    if new:
        session.execute(SummaryStale.__table__.insert(), new)
    try:
        return figures(session, actor, period, as_of)
    finally:
        for row in new:
            session.execute(
                SummaryStale.__table__.delete().where(
                    SummaryStale.school_id == row["school_id"], SummaryStale.month == WHOLE_SCHOOL
                )
            )


def assert_same(session: Session, actor: Actor, period: Period, as_of: date) -> tuple:
    stored = figures(session, actor, period, as_of)
    live = live_figures(session, actor, period, as_of)
    for ours, theirs in zip(stored[:2], live[:2], strict=True):
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    assert stored[2] == live[2]
    return stored


def test_facts_equal_the_live_counts_for_random_schools_periods_and_days(county):
    assert stale_schools(county) == []  # the stored answers below come from the facts
    assert county.scalar(select(func.count()).select_from(ContactFacts)) > 0
    assert county.scalar(select(func.count()).select_from(ParticipationFacts)) > 0
    schools = county.scalars(select(School.id).order_by(School.id)).all()
    periods = terms(county) + MONTHS

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(
        school=st.sampled_from([None, *schools]),
        period=st.sampled_from(periods),
        as_of=st.sampled_from(DAYS),
    )
    def check(school: int | None, period: Period, as_of: date) -> None:
        actor = actor_of_role(county, Role.BUREAU if school is None else Role.PRINCIPAL, school)
        assert_same(county, actor, period, as_of)

    check()


def test_the_autumn_term_has_figures_to_compare(county):
    autumn = next(p for p in terms(county) if p.start == date(2026, 9, 1))
    channels, by_type, overall = assert_same(
        county, actor_of_role(county, Role.BUREAU), autumn, date(2026, 11, 28)
    )
    assert channels["contacts"].sum() > 100
    assert len(by_type) >= 5 and overall.left_behind_participants > 0
    assert overall.attendances == by_type["attendances"].sum()


def _reflected(session: Session, actor: Actor, period: Period, as_of: date, school: int) -> tuple:
    """After a write: the school is marked, read live, then refreshed; both agree with live."""
    assert school in stale_schools(session)
    now = assert_same(session, actor, period, as_of)
    refresh_summary(session)
    assert stale_schools(session) == []
    after = assert_same(session, actor, period, as_of)
    for ours, theirs in zip(now[:2], after[:2], strict=True):
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    return after


def test_writes_are_reflected_at_once_and_after_the_refresh(county):
    bureau = actor_of_role(county, Role.BUREAU)
    autumn = next(p for p in terms(county) if p.start == date(2026, 9, 1))
    as_of = date(2026, 11, 28)
    before = assert_same(county, bureau, autumn, as_of)
    activity = county.scalars(select(Activity).order_by(Activity.id)).first()
    activity.place = "操场"  # fields no figure reads: no marker
    county.scalars(select(Participation).order_by(Participation.id)).first().note = "迟到"
    county.flush()
    assert stale_schools(county) == []

    child = county.scalars(
        select(Child).where(Child.left_behind_type != LeftBehindType.NONE).order_by(Child.id)
    ).first()
    county.add(Contact(school_id=child.school_id, child_id=child.id, contact_date=date(2026, 10, 9),
                       counterpart=Counterpart.GUARDIAN, channel=ContactChannel.LETTER,
                       summary="书信往来"))  # fmt: skip
    county.flush()
    letters = _reflected(county, bureau, autumn, as_of, child.school_id)[0]
    assert letters["contacts"].sum() == before[0]["contacts"].sum() + 1

    taken = county.scalars(
        select(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(Activity.activity_date.between(autumn.start, as_of), Participation.attended)
        .order_by(Participation.id)
    ).first()
    taken.deleted_at = utcnow()
    county.flush()
    fewer = _reflected(county, bureau, autumn, as_of, taken.school_id)[2]
    assert fewer.attendances == before[2].attendances - 1

    activity = county.scalars(
        select(Activity).where(Activity.activity_date.between(date(2026, 10, 1), as_of))
    ).first()
    activity.activity_date = date(2026, 12, 10)  # moved past as_of: no longer counted
    county.flush()
    moved = _reflected(county, bureau, autumn, as_of, activity.school_id)[2]
    assert moved.activities == fewer.activities - 1

    child.enrolment_status = EnrolmentStatus.TRANSFERRED
    county.flush()
    left = _reflected(county, bureau, autumn, as_of, child.school_id)[0]
    assert left["contacts"].sum() < letters["contacts"].sum()
