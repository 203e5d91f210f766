"""Dashboard figures on a hand-built school: headcounts, shares, compliance split into ended
periods (the headline) and the running month (progress, never a 0 % failure)."""

from datetime import date

import pandas as pd
import pytest

from db.enums import ActivityType, ContactChannel, Counterpart, LeftBehindType, Role
from db.models import Participation
from services.errors import NotAllowed
from services.metrics.dashboard import load_dashboard
from services.metrics.options import term_options
from services.metrics.scope import EVERYONE, Scope, term_period
from tests import factories
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.services.compliance_helpers import log_contact, make_autumn_term, make_rule, pair

AUTUMN = term_period("2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20))
NOV_15 = date(2026, 11, 15)
DEC_2 = date(2026, 12, 2)
FATHER = {"father_name": "张强", "father_phone": "13912345678", "father_work_province": "广东"}
MOTHER = {"mother_name": "李梅", "mother_phone": "13712345678", "mother_work_province": "浙江"}
# On the books since the term began (without an enrolment date: since the record was made).
ON_BOOKS = {"enrolled_on": date(2026, 9, 1)}


@pytest.fixture
def school_case(session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER, display_name="甲老师")
    room3 = make_classroom(session, school, grade=3, head=head)
    room4 = make_classroom(session, school, grade=4, number=1)
    term = make_autumn_term(session, school, [])
    make_rule(session, school, "每月与监护人沟通", [Counterpart.GUARDIAN], [])
    kids = {
        "both": make_child(
            session, school, room3, LeftBehindType.BOTH, is_key=True, **FATHER, **MOTHER, **ON_BOOKS
        ),
        "father": make_child(session, school, room3, LeftBehindType.FATHER, **ON_BOOKS),
        "mother": make_child(session, school, room4, LeftBehindType.MOTHER, **MOTHER, **ON_BOOKS),
        "none": make_child(session, school, room4, LeftBehindType.NONE, **ON_BOOKS),
    }
    pair(session, make_user(session, school, Role.TEACHER), kids["both"], term)
    activity = factories.make_activity_row(
        session, school, term, "读书会", ActivityType.READING, date(2026, 10, 20)
    )
    for kid in (kids["both"], kids["none"]):
        session.add(Participation(school_id=school.id, activity_id=activity.id, child_id=kid.id))
    log_contact(
        session, kids["both"], date(2026, 11, 2), Counterpart.GUARDIAN, ContactChannel.PHONE
    )
    log_contact(
        session, kids["father"], date(2026, 10, 2), Counterpart.FATHER, ContactChannel.PHONE
    )
    session.flush()
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    return school, principal, kids, room3, head


def test_kpis_count_shares_archive_pairing_compliance_and_participation(session, school_case):
    _school, principal, _kids, _room3, _head = school_case

    d = load_dashboard(session, principal, EVERYONE, AUTUMN, NOV_15)

    h = d.heads
    assert (h.children, h.left_behind, h.both_parents_away, h.one_parent_away) == (4, 3, 1, 2)
    assert h.left_behind_share == 0.75
    assert d.archive.rate == pytest.approx(2 / 3)
    assert d.pairing.coverage == pytest.approx(1 / 3)
    assert d.pairing.key_coverage == 1.0
    # The headline is October (ended): nobody was contacted by the guardian rule.
    assert d.compliance.last_month.label == "2026年10月"
    assert d.compliance.last_month_figures.rate == 0.0
    # November runs: one of three done so far, progress and not a rate.
    running = d.compliance.running_figures
    assert (running.met, running.due, d.compliance.days_left) == (1, 3, 16)
    assert d.participation.left_behind_rate == pytest.approx(1 / 3)
    assert d.participation.other_rate == 1.0


def test_early_in_a_month_the_running_month_is_progress_not_a_failure(session, school_case):
    _school, principal, _kids, _room3, _head = school_case

    d = load_dashboard(session, principal, EVERYONE, AUTUMN, DEC_2)

    assert d.compliance.last_month.label == "2026年11月"
    assert d.compliance.last_month_figures.rate == pytest.approx(1 / 3)
    running = d.compliance.running_figures
    assert (running.met, running.due, running.open) == (0, 3, 3)
    assert running.rate is None and d.compliance.days_left == 30
    # Heat map and trend stop at November; the term-to-date rate counts ended months only.
    assert max(d.compliance_heatmap["month"]) == "2026-11"
    assert max(d.compliance_trend["month"]) == "2026-11"
    assert d.compliance.to_date.rate == pytest.approx(1 / 9)  # Sep 0/3, Oct 0/3, Nov 1/3
    assert d.compliance.to_date.open == 3


def test_an_empty_selection_has_no_rate(session, school_case):
    _school, principal, _kids, _room3, _head = school_case
    nobody = Scope(grade=9)

    d = load_dashboard(session, principal, nobody, AUTUMN, NOV_15)

    assert d.heads.children == 0
    assert d.heads.left_behind_share is None and d.archive.rate is None
    assert d.pairing.coverage is None and d.participation.left_behind_rate is None
    assert d.compliance.last_month_figures.rate is None and d.compliance.to_date.rate is None


def test_grade_filter_narrows_every_figure(session, school_case):
    _school, principal, _kids, _room3, _head = school_case

    data = load_dashboard(session, principal, Scope(grade=4), AUTUMN, NOV_15)

    assert data.heads.children == 2
    assert set(data.left_behind_by_grade["grade"]) == {4}
    assert list(data.compliance_heatmap["label"].unique()) == ["4年级(1)班"]
    assert data.contacts_by_channel.empty


def test_load_dashboard_frames_have_known_values(session, school_case):
    _school, principal, _kids, _room3, _head = school_case

    data = load_dashboard(session, principal, EVERYONE, AUTUMN, NOV_15)

    composition = data.left_behind_by_grade.set_index(["grade", "left_behind_type"])["children"]
    assert composition.to_dict() == {
        (3, "both"): 1,
        (3, "father"): 1,
        (4, "mother"): 1,
        (4, "none"): 1,
    }
    reading = data.participation_chart.set_index("group")
    assert reading.loc["left_behind", "participants"] == 1
    assert reading.loc["other", "share"] == 1.0
    assert data.contacts_by_channel.to_dict("records") == [{"channel": "phone", "contacts": 2}]
    # By teacher: 甲老师 is head of grade 3 (2 children x Sep–Oct ended), grade 4 has no head.
    owners = data.compliance_by_owner.set_index("label", drop=False)
    assert owners.loc["甲老师", "due"] == 4
    assert list(term_options(session, principal)["name"]) == ["2026年秋季学期"]


def test_teachers_may_not_open_the_dashboard_and_bureau_sees_schools(session, school_case):
    school, _principal, _kids, _room3, head = school_case
    with pytest.raises(NotAllowed):
        load_dashboard(session, actor_of(session, head), EVERYONE, AUTUMN, NOV_15)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county=school.county))
    data = load_dashboard(session, bureau, EVERYONE, AUTUMN, NOV_15)
    assert data.heads.children == 4
    assert list(data.compliance_by_owner["label"]) == [school.name]


def _two_schools_with_one_rule_name(session):
    """Two schools of one county, each with its own rule 每月与监护人沟通 and two left-behind
    children; in October one child of 甲小学 is phoned. The county's bureau actor."""
    contacted = {"甲小学": 1, "乙小学": 0}  # of each school's two left-behind children, in October
    for name, count in contacted.items():
        school = make_school(session, name=name, county="青山县")
        make_autumn_term(session, school, [])
        make_rule(session, school, "每月与监护人沟通", [Counterpart.GUARDIAN], [])
        room = make_classroom(session, school, grade=3)
        kids = [
            make_child(session, school, room, LeftBehindType.BOTH, **ON_BOOKS) for _ in range(2)
        ]
        for kid in kids[:count]:
            log_contact(session, kid, date(2026, 10, 9), Counterpart.GUARDIAN, ContactChannel.PHONE)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county="青山县"))
    session.flush()
    return bureau


def test_the_bureau_trend_is_one_point_per_rule_and_month_across_schools(session):
    """Each school has its own rule of the same name: the county trend sums met and due over
    the schools per month, then the rate (one point per rule and month), live and stored."""
    from services.metrics.summary import refresh_summary

    bureau = _two_schools_with_one_rule_name(session)

    live = load_dashboard(session, bureau, EVERYONE, AUTUMN, NOV_15).compliance_trend
    refresh_summary(session)
    stored = load_dashboard(session, bureau, EVERYONE, AUTUMN, NOV_15).compliance_trend

    for trend in (live, stored):
        assert not trend.duplicated(["rule_name", "month"]).any()
        rows = trend.set_index("month")
        assert list(rows["rule_name"]) == ["每月与监护人沟通"] * 2
        assert (rows.loc["2026-09", "met"], rows.loc["2026-09", "due"]) == (0, 4)
        assert (rows.loc["2026-10", "met"], rows.loc["2026-10", "due"]) == (1, 4)
        assert rows.loc["2026-10", "rate"] == pytest.approx(1 / 4)
    pd.testing.assert_frame_equal(live, stored, check_dtype=False)


def test_the_county_report_lists_each_rule_once_across_schools(session):
    """The bureau report's per-rule table sums the schools' same-named rules (as the trend)."""
    from services.reports.data import gather_report_data

    bureau = _two_schools_with_one_rule_name(session)

    by_rule = gather_report_data(session, bureau, AUTUMN, as_of=NOV_15).compliance_by_rule
    assert list(by_rule["rule_name"]) == ["每月与监护人沟通"]
    assert int(by_rule["met"].iloc[0]) == 1
