"""Dashboard figures on a hand-built school."""

from datetime import date

import pytest

from db.enums import ActivityType, ContactChannel, Counterpart, LeftBehindType, Role
from db.models import Activity, Participation
from services.errors import NotAllowed
from services.metrics.dashboard import Scope, dashboard_kpis, load_dashboard, term_options
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.services.compliance_helpers import log_contact, make_autumn_term, make_rule, pair

AUTUMN = Scope(date(2026, 9, 1), date(2027, 1, 20), as_of=date(2026, 11, 15))
FATHER = {"father_name": "张强", "father_phone": "13912345678", "father_work_province": "广东"}
MOTHER = {"mother_name": "李梅", "mother_phone": "13712345678", "mother_work_province": "浙江"}


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
            session, school, room3, LeftBehindType.BOTH, is_key=True, **FATHER, **MOTHER
        ),
        "father": make_child(session, school, room3, LeftBehindType.FATHER),
        "mother": make_child(session, school, room4, LeftBehindType.MOTHER, **MOTHER),
        "none": make_child(session, school, room4, LeftBehindType.NONE),
    }
    pair(session, make_user(session, school, Role.TEACHER), kids["both"], term)
    activity = Activity(
        school_id=school.id,
        term_id=term.id,
        title="读书会",
        activity_type=ActivityType.READING,
        activity_date=date(2026, 10, 20),
    )
    session.add(activity)
    session.flush()
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

    k = dashboard_kpis(session, principal, AUTUMN)

    assert (k.children, k.left_behind, k.both_parents, k.one_parent) == (4, 3, 1, 2)
    assert k.left_behind_share == 0.75
    assert k.archive_rate == pytest.approx(2 / 3)
    assert k.pairing_coverage_left_behind == pytest.approx(1 / 3)
    assert k.pairing_coverage_key == 1.0
    assert k.month_compliance == pytest.approx(1 / 3)  # November: one of three contacted
    assert k.left_behind_participation == pytest.approx(1 / 3)
    assert k.other_participation == 1.0


def test_grade_filter_narrows_every_figure(session, school_case):
    _school, principal, _kids, _room3, _head = school_case
    scope = Scope(AUTUMN.start, AUTUMN.end, grade=4, as_of=AUTUMN.as_of)

    data = load_dashboard(session, principal, scope)

    assert data.kpis.children == 2
    assert set(data.left_behind_by_grade["grade"]) == {4}
    assert list(data.compliance_heatmap["label"].unique()) == ["4年级(1)班"]
    assert data.contacts_by_channel.empty


def test_load_dashboard_frames_have_known_values(session, school_case):
    _school, principal, _kids, _room3, _head = school_case

    data = load_dashboard(session, principal, AUTUMN)

    composition = data.left_behind_by_grade.set_index(["grade", "left_behind_type"])["children"]
    assert composition.to_dict() == {
        (3, "both"): 1,
        (3, "father"): 1,
        (4, "mother"): 1,
        (4, "none"): 1,
    }
    reading = data.participation_by_type.set_index("group")
    assert reading.loc["left_behind", "participants"] == 1
    assert reading.loc["other", "share"] == 1.0
    assert data.contacts_by_channel.to_dict("records") == [{"channel": "phone", "contacts": 2}]
    # By teacher: 甲老师 is head of grade 3 (2 children x Sep–Nov), grade 4 has no head teacher.
    owners = data.compliance_by_owner.set_index("label", drop=False)
    assert owners.loc["甲老师", "due"] == 6
    assert list(term_options(session, principal)["name"]) == ["2026年秋季学期"]


def test_teachers_may_not_open_the_dashboard_and_bureau_sees_schools(session, school_case):
    school, _principal, _kids, _room3, head = school_case
    with pytest.raises(NotAllowed):
        dashboard_kpis(session, actor_of(session, head), AUTUMN)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county=school.county))
    data = load_dashboard(session, bureau, AUTUMN)
    assert data.kpis.children == 4
    assert list(data.compliance_by_owner["label"]) == [school.name]
