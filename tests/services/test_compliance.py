"""Compliance on hand-built cases (DESIGN.md §6), on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from db.enums import (
    Cadence,
    ContactChannel,
    ContactOutcome,
    Counterpart,
    EnrolmentStatus,
    LeftBehindType,
    Role,
    RuleWho,
)
from db.models import Child
from services.compliance import due as compliance_due
from services.compliance.engine import compliance_rows, compliance_table
from services.compliance.met_exists import met_exists
from services.compliance.periods import term_periods
from services.compliance.rule_periods import RulePeriod, values_table
from tests import factories
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.services import compliance_helpers
from tests.services.compliance_helpers import log_contact, make_autumn_term, make_rule, pair

CP, CH = Counterpart, ContactChannel
NOV_15 = date(2026, 11, 15)
TERM_START = date(2026, 9, 1)


def make_child(session, school, room=None, *args, **fields):
    """A child on the books since the term began (unless the case says otherwise)."""
    return factories.make_child(
        session, school, room, *args, **{"enrolled_on": TERM_START, **fields}
    )


@pytest.fixture(autouse=True, params=["exists", "summaries"])
def met_strategy(request, monkeypatch, engine):
    """Run every case with both ways of finding a matching contact (summaries: PostgreSQL)."""
    if request.param == "summaries" and engine.dialect.name != "postgresql":
        pytest.skip("bit_or summaries are PostgreSQL-only")
    dialects = {"postgresql"} if request.param == "summaries" else set()
    monkeypatch.setattr(compliance_due, "SET_BASED_DIALECTS", frozenset(dialects))
    return request.param


@pytest.fixture
def school_case(session):
    """One school, two classes with their head teachers, the autumn term, a principal."""
    school = make_school(session)
    head_a = make_user(session, school, Role.HEAD_TEACHER, display_name="甲老师")
    head_b = make_user(session, school, Role.HEAD_TEACHER, display_name="乙老师")
    room_a = make_classroom(session, school, grade=3, number=1, head=head_a)
    room_b = make_classroom(session, school, grade=4, number=1, head=head_b)
    term = make_autumn_term(session, school, [("2026-10-05", "2026-10-11")])
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    return {
        "school": school,
        "head_a": head_a,
        "head_b": head_b,
        "room_a": room_a,
        "room_b": room_b,
        "term": term,
        "principal": principal,
    }


def _guardian_rule(session, school):
    return make_rule(session, school, "每月与监护人沟通", [CP.GUARDIAN], [], Cadence.MONTHLY)


def _table(session, case, start, end, *by, **filters):
    """compliance_table as the case's principal sees it on 15 November."""
    return compliance_table(session, case["principal"], start, end, by=by, as_of=NOV_15, **filters)


def _row(frame, **match):
    selected = frame
    for key, value in match.items():
        selected = selected[selected[key] == value]
    assert len(selected) == 1, f"expected one row for {match}, got {len(selected)}"
    return selected.iloc[0]


def test_monthly_rule_met_overdue_and_pending_in_current_month(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    child = make_child(session, s["school"], s["room_a"])
    log_contact(session, child, date(2026, 9, 10), CP.GUARDIAN, CH.PHONE)

    frame = _table(session, s, date(2026, 9, 1), date(2026, 11, 30), "month")

    assert list(frame["month"]) == ["2026-09", "2026-10", "2026-11"]
    sep, oct_, nov = (frame.iloc[i] for i in range(3))
    assert (sep.due, sep.met, sep.overdue, sep.pending) == (1, 1, 0, 0)
    assert (oct_.due, oct_.met, oct_.overdue, oct_.pending) == (1, 0, 1, 0)
    # November is still running: due but not yet overdue.
    assert (nov.due, nov.met, nov.overdue, nov.pending) == (1, 0, 0, 1)
    total = _table(session, s, date(2026, 9, 1), date(2026, 11, 30))
    assert total.iloc[0].rate == pytest.approx(1 / 3)
    # December has not started: nothing is due yet.
    december = _table(session, s, date(2026, 12, 1), date(2026, 12, 31))
    assert december.iloc[0].due == 0


def test_call_to_guardian_does_not_satisfy_parents_call(session, school_case):
    s = school_case
    make_rule(session, s["school"], "每月与家长通话", [CP.FATHER, CP.MOTHER], [CH.PHONE, CH.VIDEO])
    guardian_only = make_child(session, s["school"], s["room_a"])
    log_contact(session, guardian_only, date(2026, 9, 3), CP.GUARDIAN, CH.PHONE)
    by_letter = make_child(session, s["school"], s["room_a"])
    log_contact(session, by_letter, date(2026, 9, 3), CP.MOTHER, CH.LETTER)
    by_video = make_child(session, s["school"], s["room_a"])
    log_contact(session, by_video, date(2026, 9, 3), CP.MOTHER, CH.VIDEO)

    frame = _table(session, s, date(2026, 9, 1), date(2026, 9, 30), "child")

    met = dict(zip(frame["child_id"], frame["met"], strict=True))
    assert met == {guardian_only.id: 0, by_letter.id: 0, by_video.id: 1}


def test_home_visit_in_the_wrong_phase_does_not_count(session, school_case):
    s = school_case
    rule = make_rule(
        session,
        s["school"],
        "期中家访",
        [CP.GUARDIAN, CP.FATHER, CP.MOTHER],
        [CH.HOME_VISIT],
        Cadence.TERM_PHASE,
        phase="middle",
    )
    early = make_child(session, s["school"], s["room_a"])
    log_contact(session, early, date(2026, 10, 15), CP.GUARDIAN, CH.HOME_VISIT)
    in_phase = make_child(session, s["school"], s["room_a"])
    log_contact(session, in_phase, date(2026, 11, 2), CP.GUARDIAN, CH.HOME_VISIT)

    frame = _table(session, s, date(2026, 9, 1), date(2027, 1, 31), "rule", "child")

    assert set(frame["rule_id"]) == {rule.id}
    assert list(frame.sort_values("child_id")["met"]) == [0, 1]
    # The middle phase (10/26–11/20) is still running on 11/15: the miss is pending, not overdue.
    assert frame["overdue"].sum() == 0 and frame["pending"].sum() == 1


def test_holiday_weeks_are_not_due_and_key_only_rule_skips_other_children(session, school_case):
    s = school_case
    compliance_helpers.make_key_talk_rule(session, s["school"], who=RuleWho.PAIRED_TEACHER)
    key_child = make_child(session, s["school"], s["room_a"], is_key=True)
    key_not_left_behind = make_child(
        session, s["school"], s["room_a"], LeftBehindType.NONE, is_key=True
    )
    make_child(session, s["school"], s["room_a"])  # left-behind, not key: no weekly talks due
    log_contact(session, key_child, date(2026, 10, 14), CP.CHILD, CH.MEETING)

    frame = _table(session, s, date(2026, 10, 1), date(2026, 10, 31), "child", "period")

    # Weeks touching October: 9/28, 10/5 (all holiday, dropped), 10/12, 10/19, 10/26.
    assert set(frame["child_id"]) == {key_child.id, key_not_left_behind.id}
    starts = sorted(set(frame["period_start"]))
    assert starts == [date(2026, 9, 28), date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]
    mine = frame[frame["child_id"] == key_child.id]
    assert mine["met"].sum() == 1 and mine["due"].sum() == 4


def test_term_periods_drop_holiday_only_weeks_and_clip_to_term(session, school_case):
    weeks = term_periods(school_case["term"], Cadence.WEEKLY)
    assert weeks[0].start == date(2026, 9, 1)  # clipped: the week begins Monday 8/31
    assert date(2026, 10, 5) not in [w.start for w in weeks]
    months = term_periods(school_case["term"], Cadence.MONTHLY)
    assert (months[-1].start, months[-1].end) == (date(2027, 1, 1), date(2027, 1, 20))


def test_child_joining_or_leaving_mid_term_counts_only_while_there(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    joiner = make_child(session, s["school"], s["room_a"], enrolled_on=date(2026, 10, 15))
    leaver = make_child(
        session,
        s["school"],
        s["room_a"],
        enrolment_status=EnrolmentStatus.TRANSFERRED,
        left_on=date(2026, 10, 20),
    )
    make_child(session, s["school"], s["room_a"], enrolment_status=EnrolmentStatus.DROPPED_OUT)
    make_child(session, s["school"], s["room_a"], LeftBehindType.NONE)

    frame = _table(session, s, date(2026, 9, 1), date(2026, 11, 30), "child", "month")

    months = {
        cid: sorted(frame[frame["child_id"] == cid]["month"]) for cid in set(frame["child_id"])
    }
    assert months == {joiner.id: ["2026-11"], leaver.id: ["2026-09"]}


def test_outside_term_time_nothing_is_due(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    make_child(session, s["school"], s["room_a"])
    frame = _table(session, s, date(2026, 7, 1), date(2026, 8, 31), "rule")
    assert frame.empty


def test_rates_per_class_and_teacher_with_paired_teacher_rules(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    compliance_helpers.make_key_talk_rule(session, s["school"], who=RuleWho.PAIRED_TEACHER)
    mentor = make_user(session, s["school"], Role.TEACHER, display_name="丙老师")
    a1 = make_child(session, s["school"], s["room_a"])
    make_child(session, s["school"], s["room_a"])
    b1 = make_child(session, s["school"], s["room_b"], is_key=True)
    pair(session, mentor, b1, s["term"])
    log_contact(session, a1, date(2026, 9, 8), CP.GUARDIAN, CH.PHONE)
    log_contact(session, b1, date(2026, 9, 8), CP.GUARDIAN, CH.HOME_VISIT)
    log_contact(session, b1, date(2026, 9, 9), CP.CHILD, CH.MEETING)
    start, end = date(2026, 9, 1), date(2026, 9, 30)

    by_class = _table(session, s, start, end, "classroom")
    room_a = _row(by_class, classroom_id=s["room_a"].id)
    assert (room_a.due, room_a.met, room_a.rate) == (2, 1, 0.5)
    room_b = _row(by_class, classroom_id=s["room_b"].id)
    # b1: one monthly (met) + September weeks 9/1, 9/7, 9/14, 9/21, 9/28 (one met).
    assert (room_b.due, room_b.met) == (6, 2)

    by_teacher = _table(session, s, start, end, "teacher")
    assert _row(by_teacher, teacher_id=s["head_a"].id).rate == 0.5
    assert (
        _row(by_teacher, teacher_id=s["head_b"].id).due,
        _row(by_teacher, teacher_id=s["head_b"].id).met,
    ) == (1, 1)
    mentor_row = _row(by_teacher, teacher_id=mentor.id)
    assert (mentor_row.due, mentor_row.met, mentor_row.teacher_name) == (5, 1, "丙老师")

    only_mentor = _table(session, s, start, end, "rule", teacher_id=mentor.id)
    assert list(only_mentor["rule_name"]) == ["重点儿童每周谈心"]
    by_grade = _table(session, s, start, end, "grade", grade=4)
    assert list(by_grade["grade"]) == [4]


def test_head_teacher_sees_only_own_class_and_bureau_names_are_masked(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    make_child(session, s["school"], s["room_a"], name="张小萍")
    make_child(session, s["school"], s["room_b"], name="李四")
    head_a = actor_of(session, s["head_a"])
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county=s["school"].county))
    start, end = date(2026, 9, 1), date(2026, 9, 30)

    mine = compliance_table(session, head_a, start, end, by=("child",), as_of=NOV_15)
    assert list(mine["child_name"]) == ["张小萍"]
    county = compliance_table(session, bureau, start, end, by=("child",), as_of=NOV_15)
    assert sorted(county["child_name"]) == ["张*萍", "李*"]


def test_deleted_contacts_do_not_count_and_rows_list_what_is_missing(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    child = make_child(session, s["school"], s["room_a"])
    contact = log_contact(session, child, date(2026, 11, 3), CP.GUARDIAN, CH.PHONE)
    contact.deleted_at = contact.created_at
    session.flush()

    rows = compliance_rows(
        session,
        actor_of(session, s["head_a"]),
        date(2026, 10, 1),
        date(2026, 11, 30),
        teacher_id=s["head_a"].id,
        as_of=NOV_15,
    )

    assert list(rows["period_start"]) == [date(2026, 10, 1), date(2026, 11, 1)]
    assert list(rows["overdue"]) == [True, False]
    assert rows.iloc[0]["counterparts"] == ["guardian"]


def test_unanswered_or_empty_contacts_meet_no_rule(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    make_rule(
        session, s["school"], "期初家访", [CP.GUARDIAN], [CH.HOME_VISIT], Cadence.TERM_PHASE,
        phase="start",
    )  # fmt: skip
    compliance_helpers.make_key_talk_rule(session, s["school"])
    said = {"summary": "奶奶说孩子很好"}
    kinds = {
        "summary": said,
        "outcome only": {"summary": None, "outcome": ContactOutcome.VISITED},
        "unanswered": {**said, "outcome": ContactOutcome.NO_ANSWER},
        "blank": {"summary": "  "},
        "empty": {"summary": None},
    }
    children = {}
    for kind, fields in kinds.items():
        child = children[kind] = make_child(session, s["school"], s["room_a"], is_key=True)
        log_contact(session, child, date(2026, 9, 8), CP.GUARDIAN, CH.HOME_VISIT, **fields)
        log_contact(session, child, date(2026, 9, 9), CP.CHILD, CH.MEETING, **fields)

    frame = _table(session, s, date(2026, 9, 8), date(2026, 9, 13), "child")

    # Each child is due the September month, the 期初 phase and the week of 9/7.
    met = {kind: _row(frame, child_id=children[kind].id).met for kind in kinds}
    assert met == {"summary": 3, "outcome only": 3, "unanswered": 0, "blank": 0, "empty": 0}
    assert set(frame["due"]) == {3}


def test_a_roster_imported_mid_term_owes_nothing_before_its_import(session, school_case):
    s = school_case
    _guardian_rule(session, s["school"])
    make_rule(session, s["school"], "期中家访", [CP.GUARDIAN], [CH.HOME_VISIT], Cadence.TERM_PHASE)
    compliance_helpers.make_key_talk_rule(session, s["school"])
    # Imported (no enrolment date) at 10:00 on 11 November, school time.
    imported = datetime(2026, 11, 11, 2, tzinfo=UTC)
    roster = [
        make_child(session, s["school"], s["room_a"], enrolled_on=None, created_at=imported),
        make_child(session, s["school"], s["room_a"], enrolled_on=None, created_at=imported,
                   is_key=True),
    ]  # fmt: skip

    frame = compliance_rows(session, s["principal"], date(2026, 9, 1), date(2026, 12, 31),
                            as_of=date(2026, 12, 22))  # fmt: skip

    # Due only for periods it was on the books for from their first day: nothing in September,
    # October, the 期中 phase (10/26-11/20), November or the week of 11/9; from the week of 11/16.
    starts = {
        child.id: sorted(set(frame[frame["child_id"] == child.id]["period_start"]))
        for child in roster
    }
    assert starts[roster[0].id] == [date(2026, 12, 1), date(2026, 12, 21)]
    assert starts[roster[1].id][:3] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert min(frame[frame["child_id"].isin(starts)]["period_start"]) == date(2026, 11, 16)


def test_the_sqlite_match_look_up_reads_the_covering_index_only(session, met_strategy):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the EXISTS path's index plan is SQLite's")
    rows = [RulePeriod(1, 1, 1, 1, 0, "head_teacher", date(2026, 9, 1), date(2026, 9, 30),
                       "2026-09", 1, 4, 63, "monthly", "2026-09-01", 7)]  # fmt: skip
    rp = values_table(rows)
    look_up = select(Child.id, met_exists(rp, rp.c.p_start, rp.c.p_end)).join(
        rp, rp.c.school_id == Child.school_id
    )
    sql = str(look_up.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = [row[-1] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql))]
    assert any("contacts USING COVERING INDEX ix_contacts_child_date_match" in p for p in plan)


def test_a_cadence_keeps_only_its_rules_with_the_same_counts(session, school_case):
    """`cadence=` (关爱成效's 每阶段家访) selects the rules of one cadence: the same rows and counts
    as the whole table filtered to those rules, without computing the others."""
    s = school_case
    phase = make_rule(
        session, s["school"], "期中家访", [CP.GUARDIAN], [CH.HOME_VISIT], Cadence.TERM_PHASE,
        phase="middle",
    )  # fmt: skip
    _guardian_rule(session, s["school"])
    kids = [make_child(session, s["school"], s["room_a"]) for _ in range(3)]
    log_contact(session, kids[0], date(2026, 11, 2), CP.GUARDIAN, CH.HOME_VISIT)
    log_contact(session, kids[1], date(2026, 10, 20), CP.GUARDIAN, CH.PHONE)

    every = _table(session, s, date(2026, 9, 1), date(2027, 1, 31), "rule", "child")
    only = _table(
        session, s, date(2026, 9, 1), date(2027, 1, 31), "rule", "child",
        cadence=Cadence.TERM_PHASE,
    )  # fmt: skip

    assert len(set(every["rule_id"])) == 2 and set(only["rule_id"]) == {phase.id}
    expected = every[every["rule_id"] == phase.id].reset_index(drop=True)
    assert only.reset_index(drop=True).equals(expected)
    assert list(only.sort_values("child_id")["met"]) == [1, 0, 0]
