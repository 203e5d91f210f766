"""我的待办 for head teachers and teachers, on hand-built cases."""

from datetime import date

import pytest

from db.enums import Cadence, ContactChannel, Counterpart, Role, RuleAppliesTo, RuleWho
from services.compliance.todo import my_todo
from services.errors import NotAllowed
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.services.compliance_helpers import log_contact, make_autumn_term, make_rule, pair

NOV_15 = date(2026, 11, 15)


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
    make_rule(
        session,
        school,
        "重点儿童每周谈心",
        [Counterpart.CHILD],
        [ContactChannel.MEETING],
        Cadence.WEEKLY,
        applies_to=RuleAppliesTo.KEY,
        who=RuleWho.PAIRED_TEACHER,
        sort_order=3,
    )
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
