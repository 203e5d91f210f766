"""我的待办 for head teachers and teachers, on hand-built cases."""

from datetime import UTC, date, datetime

import pytest

from db.enums import (
    Cadence,
    ContactChannel,
    ContactOutcome,
    Counterpart,
    Role,
    RuleWho,
)
from db.models import Contact
from services.compliance.todo import my_todo
from services.compliance.todo_hints import Hint, explain
from services.errors import NotAllowed, ValidationFailed
from services.records.contacts import record_contact
from tests import factories
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.services import compliance_helpers
from tests.services.compliance_helpers import log_contact, make_autumn_term, make_rule, pair

NOV_15 = date(2026, 11, 15)
TERM_START = date(2026, 9, 1)


def make_child(session, school, room, **fields):  # type: ignore[no-untyped-def]
    """A child on the school's books since the term began (not 新建档)."""
    return factories.make_child(session, school, room, **{"enrolled_on": TERM_START, **fields})


@pytest.fixture
def school_case(session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER)
    mentor = make_user(session, school, Role.TEACHER)
    room = make_classroom(session, school, head=head)
    term = make_autumn_term(session, school, [])
    make_rule(
        session,
        school,
        "每月与家长通话",
        [Counterpart.FATHER, Counterpart.MOTHER],
        [ContactChannel.PHONE, ContactChannel.VIDEO],
        sort_order=1,
    )
    make_rule(
        session,
        school,
        "期中家访",
        [Counterpart.GUARDIAN],
        [ContactChannel.HOME_VISIT],
        Cadence.TERM_PHASE,
        phase="middle",
        sort_order=2,
    )
    compliance_helpers.make_key_talk_rule(session, school, who=RuleWho.PAIRED_TEACHER, sort_order=3)
    return school, head, mentor, room, term


def test_head_teacher_sees_due_and_overdue_with_what_is_missing(session, school_case):
    school, head, _mentor, room, _term = school_case
    done = make_child(session, school, room, name="已联系")
    make_child(session, school, room, name="未联系")
    log_contact(session, done, date(2026, 11, 3), Counterpart.MOTHER, ContactChannel.VIDEO)
    log_contact(session, done, date(2026, 11, 4), Counterpart.GUARDIAN, ContactChannel.HOME_VISIT)

    todo = my_todo(session, actor_of(session, head), as_of=NOV_15)

    assert list(zip(todo["child_name"], todo["rule_name"], todo["status"], strict=True)) == [
        ("未联系", "期中家访", "due"),
        ("未联系", "每月与家长通话", "due"),
    ]
    call = todo[todo["rule_name"] == "每月与家长通话"].iloc[0]
    assert call["missing"] == "父亲或母亲 · 电话或视频"
    assert (call["counterpart"], call["channel"]) == ("father", "phone")
    # After the middle phase ends (11/20) the missed visit is overdue and listed first.
    later = my_todo(session, actor_of(session, head), as_of=date(2026, 11, 25))
    assert list(later["status"]) == ["overdue", "due"]
    assert later.iloc[0]["missed_periods"] == 1


def test_paired_teacher_gets_weekly_talks_not_the_head_teachers_rules(session, school_case):
    school, head, mentor, room, term = school_case
    key_child = make_child(session, school, room, is_key=True)
    pair(session, mentor, key_child, term)
    log_contact(session, key_child, date(2026, 11, 10), Counterpart.CHILD, ContactChannel.MEETING)

    todo = my_todo(session, actor_of(session, mentor), as_of=NOV_15)

    row = todo.iloc[0]
    assert len(todo) == 1 and row["rule_name"] == "重点儿童每周谈心"
    # Weeks 10/26 (reaches into November), 11/2 missed; 11/9 met; 11/16 not started yet.
    assert (row["status"], row["missed_periods"]) == ("overdue", 2)
    assert "重点儿童每周谈心" not in set(
        my_todo(session, actor_of(session, head), as_of=NOV_15)["rule_name"]
    )


def test_only_teachers_have_a_todo_list(session, school_case):
    school, *_ = school_case
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    with pytest.raises(NotAllowed):
        my_todo(session, principal)


def test_a_contact_saved_with_nothing_said_does_not_tick_the_duty_off(session, school_case):
    school, head, _mentor, room, _term = school_case
    make_child(session, school, room, name="未联系")
    actor = actor_of(session, head)
    call = my_todo(session, actor, as_of=NOV_15).set_index("rule_name").loc["每月与家长通话"]

    # 我的待办 → 记录联系 → 保存这次联系 with 联系内容 left blank.
    with pytest.raises(ValidationFailed):
        record_contact(
            session, actor, int(call["child_id"]), date(2026, 11, 14), call["channel"],
            call["counterpart"], summary="",
        )  # fmt: skip

    assert "每月与家长通话" in set(my_todo(session, actor, as_of=NOV_15)["rule_name"])


def test_an_unanswered_call_is_recorded_but_the_duty_stays_open(session, school_case):
    school, head, _mentor, room, _term = school_case
    child = make_child(session, school, room, name="未接通")
    actor = actor_of(session, head)

    contact_id = record_contact(
        session, actor, child.id, date(2026, 11, 14), "phone", "mother", outcome="no_answer"
    )

    assert session.get(Contact, contact_id).child_id == child.id
    assert "每月与家长通话" in set(my_todo(session, actor, as_of=NOV_15)["rule_name"])


def test_a_child_imported_this_month_is_new_and_not_overdue(session, school_case):
    school, _head, mentor, room, term = school_case
    imported = factories.make_child(
        session, school, room, is_key=True, created_at=datetime(2026, 11, 9, 2, tzinfo=UTC)
    )
    pair(session, mentor, imported, term)

    row = my_todo(session, actor_of(session, mentor), as_of=NOV_15).iloc[0]

    # Imported on Monday 11/9: weeks 10/26 and 11/2 began before the record was made, so they are
    # not due (services/compliance/due.py); the week of 11/9 is open.
    assert (row["status"], row["missed_periods"], row["new_record"]) == ("due", 0, True)
    assert row["due_by"] == date(2026, 11, 15)


def test_each_duty_says_which_contact_meets_it_and_why_a_logged_one_did_not(session, school_case):
    school, _head, mentor, room, term = school_case
    key_child = make_child(session, school, room, is_key=True)
    pair(session, mentor, key_child, term)
    cp, ch = Counterpart, ContactChannel
    log_contact(session, key_child, date(2026, 11, 10), cp.GUARDIAN, ch.HOME_VISIT)
    log_contact(session, key_child, date(2026, 11, 11), cp.CHILD, ch.MEETING, summary=None)
    no_answer = ContactOutcome.NO_ANSWER
    log_contact(session, key_child, date(2026, 11, 12), cp.CHILD, ch.PHONE, outcome=no_answer)

    row = my_todo(session, actor_of(session, mentor), as_of=NOV_15).iloc[0]

    assert row["meets"] == Hint("todo.meets.rule", {"who": ("child",), "how": ("meeting",)})
    assert explain(row["meets"]) == "需面谈联系儿童本人"
    assert [explain(hint) for hint in row["not_counted"]] == [
        "2026-11-10与监护人的家访不计入",
        "2026-11-11的面谈没有填写内容，不计入",
        "2026-11-12的电话未接通，不计入",
    ]
    assert row["not_counted"][0] == Hint(
        "todo.not_counted.other",
        {"date": date(2026, 11, 10), "counterpart": "guardian", "channel": "home_visit"},
    )
