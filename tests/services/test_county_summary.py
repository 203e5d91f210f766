"""The county summary (services/metrics/summary.py) answers exactly what the compliance engine
answers live, for random schools, periods, days and groupings, on SQLite and PostgreSQL; and a
write — a new contact, a deleted one, an edited rule, term or child — is reflected: at once (the
school is read live while marked stale) and after the refresh (the stored rows are recomputed).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from db.base import utcnow
from db.enums import ContactChannel, Counterpart, LeftBehindType, Role
from db.models import Child, Contact, ContactRule, School, Term, User
from db.summary_models import WHOLE_SCHOOL, ComplianceSummary, SummaryStale
from seed.generator import SeedConfig, seed_database
from services.actor import Actor, load_actor
from services.compliance.engine import compliance_table
from services.metrics.compliance import compliance_frame
from services.metrics.dashboard import load_dashboard
from services.metrics.scope import EVERYONE, Period, month_period, term_period
from services.metrics.summary import (
    refresh_in_view,
    refresh_summary,
    stale_schools,
    summary_table,
)

AUTUMN = term_period("2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20))
SPRING = term_period("2026年春季学期", date(2026, 3, 1), date(2026, 7, 10))
PERIODS = [month_period(2026, m) for m in (3, 6, 9, 10, 11, 12)] + [AUTUMN, SPRING]
DAYS = [date(2026, 3, 15), date(2026, 9, 30), date(2026, 10, 27), date(2026, 11, 28),
        date(2026, 12, 2), date(2027, 3, 1)]  # fmt: skip
GROUPINGS = [("period",), ("rule", "period"), ("school", "period"), ("rule", "school", "period"),
             ("term", "rule", "period")]  # fmt: skip
SORT = ["school_id", "term_id", "rule_id", "period_start", "period_end"]


@pytest.fixture
def county(engine) -> Session:
    """Three seeded schools with a school year of contacts, summarised."""
    seed_database(engine, SeedConfig(children=150, schools=3, months=9))
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        refresh_summary(session)
        session.commit()
        yield session
        session.rollback()


def actor_of_role(session: Session, role: Role, school_id: int | None = None) -> Actor:
    query = select(User.id).where(User.role == role).order_by(User.id)
    if school_id is not None:
        query = query.where(User.school_id == school_id)
    return load_actor(session, session.scalars(query).first())


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in SORT if c in frame]
    frame = frame.sort_values(keys, kind="stable") if keys and len(frame) else frame
    return frame.reset_index(drop=True).astype({c: "int64" for c in frame if c.endswith("_id")})


def assert_same(session: Session, actor: Actor, period: Period, by, as_of: date) -> pd.DataFrame:
    stored = summary_table(session, actor, period.start, period.end, by, as_of)
    live = compliance_table(session, actor, period.start, period.end, by=by, as_of=as_of)
    pd.testing.assert_frame_equal(canonical(stored), canonical(live), check_dtype=False)
    assert list(stored.columns) == list(live.columns)
    return stored


def test_summary_equals_the_live_engine_for_random_schools_periods_and_days(county):
    schools = county.scalars(select(School.id).order_by(School.id)).all()
    assert stale_schools(county) == []  # every answer below comes from stored rows
    assert county.scalar(select(ComplianceSummary.due).limit(1)) is not None

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(
        pick=st.integers(-1, len(schools) - 1),  # -1: the bureau (every school)
        period=st.sampled_from(PERIODS),
        as_of=st.sampled_from(DAYS),
        by=st.sampled_from(GROUPINGS),
    )
    def check(pick: int, period: Period, as_of: date, by: tuple[str, ...]) -> None:
        actor = (
            actor_of_role(county, Role.BUREAU)
            if pick < 0
            else actor_of_role(county, Role.PRINCIPAL, schools[pick])
        )
        assert_same(county, actor, period, by, as_of)

    check()


def test_the_bureau_dashboard_reads_the_summary_and_agrees(county):
    bureau = actor_of_role(county, Role.BUREAU)
    as_of = date(2026, 11, 28)
    board = load_dashboard(county, bureau, EVERYONE, AUTUMN, as_of)
    live = compliance_table(
        county, bureau, AUTUMN.start, AUTUMN.end, by=("school", "period"), as_of=as_of
    )
    live = live[live["period_end"].map(lambda d: d <= AUTUMN.end).astype(bool)]
    assert board.compliance.to_date.due == live["due"].sum()
    assert board.compliance.to_date.met == live["met"].sum()
    ranking = compliance_frame(county, bureau, EVERYONE, AUTUMN, as_of, ("school",))
    assert sorted(ranking["due"]) == sorted(live.groupby("school_id")["due"].sum())


def _unmet_due(session: Session, actor: Actor, as_of: date) -> pd.Series:
    rows = compliance_table(
        session, actor, AUTUMN.start, AUTUMN.end, by=("child", "rule", "period"), as_of=as_of
    )
    return rows[(rows["met"] == 0)].iloc[0]


def _month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def test_a_new_and_a_deleted_contact_are_reflected(county):
    principal = actor_of_role(county, Role.PRINCIPAL)
    as_of = date(2026, 11, 28)
    before = assert_same(county, principal, AUTUMN, ("rule", "period"), as_of)
    gap = _unmet_due(county, principal, as_of)
    rule = county.get(ContactRule, int(gap["rule_id"]))
    child = county.get(Child, int(gap["child_id"]))
    on = gap["period_start"]
    contact = Contact(
        school_id=child.school_id, child_id=child.id, contact_date=on, summary="家访，一切安好",
        counterpart=Counterpart(rule.counterparts[0]),
        channel=ContactChannel(rule.channels[0] if rule.channels else "phone"),
    )  # fmt: skip
    county.add(contact)
    county.flush()
    stale = county.scalars(
        select(SummaryStale.month).where(SummaryStale.school_id == child.school_id)
    )
    assert _month_of(on) in set(stale)
    after = assert_same(county, principal, AUTUMN, ("rule", "period"), as_of)  # live meanwhile
    assert after["met"].sum() > before["met"].sum()

    assert refresh_summary(county) >= 1
    assert stale_schools(county) == []
    stored = assert_same(county, principal, AUTUMN, ("rule", "period"), as_of)
    assert stored["met"].sum() == after["met"].sum()

    contact.deleted_at = utcnow()
    county.flush()
    refresh_summary(county)
    again = assert_same(county, principal, AUTUMN, ("rule", "period"), as_of)
    assert again["met"].sum() == before["met"].sum()


def test_an_edited_rule_term_or_child_is_reflected(county):
    bureau = actor_of_role(county, Role.BUREAU)
    as_of = date(2026, 12, 2)
    by = ("school", "rule", "period")
    before = assert_same(county, bureau, AUTUMN, by, as_of)

    rule = county.scalars(select(ContactRule).order_by(ContactRule.id)).first()
    rule.active = False
    county.flush()
    assert WHOLE_SCHOOL in set(county.scalars(select(SummaryStale.month)))
    refresh_summary(county)
    no_rule = assert_same(county, bureau, AUTUMN, by, as_of)
    assert rule.id in set(before["rule_id"]) and rule.id not in set(no_rule["rule_id"])

    term = county.scalars(
        select(Term).where(Term.school_id == rule.school_id, Term.start_date == AUTUMN.start)
    ).one()
    term.holidays = [*term.holidays, {"name": "停课", "start": "2026-11-02", "end": "2026-11-08"}]
    county.flush()
    refresh_summary(county)
    shorter = assert_same(county, bureau, AUTUMN, by, as_of)
    assert shorter["due"].sum() < no_rule["due"].sum()

    child = county.scalars(
        select(Child).where(Child.left_behind_type != LeftBehindType.NONE, Child.is_key.is_(False))
    ).first()
    child.left_behind_type = LeftBehindType.NONE
    county.flush()
    refresh_summary(county)
    fewer = assert_same(county, bureau, AUTUMN, by, as_of)
    assert fewer["due"].sum() < shorter["due"].sum()


def test_an_archive_edit_leaves_the_summary_alone(county):
    child = county.scalars(select(Child).order_by(Child.id)).first()
    child.guardian_phone = "13800001234"
    contact = county.scalars(select(Contact).order_by(Contact.id)).first()
    contact.concerns = "无"
    county.flush()
    assert stale_schools(county) == []


def test_a_seeded_county_is_read_live_until_the_first_refresh(engine):
    seed_database(engine, SeedConfig(children=60, schools=2, months=2))
    with sessionmaker(bind=engine)() as session:
        assert stale_schools(session) == sorted(session.scalars(select(School.id)))
        refresh_summary(session)
        session.commit()
        assert stale_schools(session) == []
        principal = actor_of_role(session, Role.PRINCIPAL)
        assert_same(session, principal, AUTUMN, ("rule", "period"), date(2026, 11, 28))
        last = session.scalar(select(ComplianceSummary.period_end).order_by(
            ComplianceSummary.period_end.desc()).limit(1))  # fmt: skip
        assert last > date(2026, 11, 28) + timedelta(days=7)  # periods not begun are kept too


def test_a_page_refreshes_only_the_schools_its_user_sees(engine):
    seed_database(engine, SeedConfig(children=40, schools=2, months=1))
    with sessionmaker(bind=engine)() as session:
        first, second = session.scalars(select(School.id).order_by(School.id)).all()
        assert refresh_in_view(session, actor_of_role(session, Role.PRINCIPAL, first)) >= 1
        assert stale_schools(session) == [second]
        refresh_in_view(session, actor_of_role(session, Role.BUREAU))
        assert stale_schools(session) == []


def test_a_refresh_never_drops_a_change_still_being_written(engine):
    """Replicas on PostgreSQL: a refresh skips a marker a writer holds instead of waiting for it
    or clearing it, so the change still being written is read live once committed."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks between transactions: PostgreSQL (SQLite has one writer)")
    seed_database(engine, SeedConfig(children=40, schools=1, months=2))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        refresh_summary(session)
        session.commit()
        child = session.scalars(
            select(Child).where(Child.left_behind_type != LeftBehindType.NONE)
        ).first()

    def call() -> Contact:
        return Contact(school_id=child.school_id, child_id=child.id, contact_date=date(2026, 11, 9),
                       counterpart=Counterpart.GUARDIAN, channel=ContactChannel.PHONE,
                       summary="电话沟通")  # fmt: skip

    with factory() as earlier:  # a committed marker for November
        earlier.add(call())
        earlier.commit()
    writer = factory()
    writer.add(call())
    writer.flush()  # the trigger holds November's marker until the writer commits
    with factory() as refresher:
        refresher.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting would fail here
        refresh_summary(refresher)
        refresher.commit()
    writer.commit()
    writer.close()
    with factory() as session:
        assert "2026-11" in set(session.scalars(select(SummaryStale.month)))
        principal = actor_of_role(session, Role.PRINCIPAL)
        assert_same(
            session, principal, month_period(2026, 11), ("rule", "period"), date(2026, 12, 1)
        )
        refresh_summary(session)
        assert stale_schools(session) == []
        assert_same(
            session, principal, month_period(2026, 11), ("rule", "period"), date(2026, 12, 1)
        )
