"""我的待办 by child: groups worst first, filters by class and kind, counts, and the rule-derived
sentence saying which contacts do not count."""

from datetime import date

import pandas as pd

from services.compliance.todo import TODO_COLUMNS, my_todo
from services.compliance.todo_groups import (
    GROWTH_WARNING,
    classrooms,
    counts,
    filter_todo,
    group_by_child,
    kinds,
)
from services.compliance.todo_hints import Hint, excludes_hint, explain
from tests.factories import actor_of
from tests.services.compliance_helpers import log_contact, pair
from tests.services.test_todo import NOV_15, make_child, school_case  # noqa: F401 (fixture)

CALL, VISIT, TALK = 1, 2, 3


def duty(child_id, name, room, rule_id, status="due", missed=0, due_by=date(2026, 11, 30)):
    rule_name = {CALL: "每月与家长通话", VISIT: "期中家访", TALK: "重点儿童每周谈心"}[rule_id]
    return {
        "child_id": child_id,
        "child_name": name,
        "classroom_name": room,
        "rule_id": rule_id,
        "rule_name": rule_name,
        "status": status,
        "missed_periods": missed,
        "due_by": due_by,
        "new_record": False,
    }


def todo_frame(*rows):
    return pd.DataFrame(list(rows)).reindex(columns=TODO_COLUMNS)


TODO = todo_frame(
    duty(1, "安安", "一年级(1)班", CALL),
    duty(2, "贝贝", "一年级(1)班", CALL, "overdue", 1, date(2026, 11, 8)),
    duty(2, "贝贝", "一年级(1)班", TALK),
    duty(3, "晨晨", "二年级(1)班", VISIT, "overdue", 2, date(2026, 11, 20)),
    duty(3, "晨晨", "二年级(1)班", TALK, "overdue", 1, date(2026, 11, 15)),
    duty(1, "安安", "一年级(1)班", VISIT, due_by=date(2026, 11, 20)),
)


def test_one_group_per_child_worst_first_overdue_duties_first():
    groups = group_by_child(TODO)
    assert [g.child_name for g in groups] == ["晨晨", "贝贝", "安安"]
    assert [(g.overdue, g.missed) for g in groups] == [(2, 3), (1, 1), (0, 0)]
    assert list(groups[1].duties["rule_name"]) == ["每月与家长通话", "重点儿童每周谈心"]
    # Among equals, the earliest deadline first.
    assert list(groups[2].duties["rule_id"]) == [VISIT, CALL]
    assert groups[0].first_due == date(2026, 11, 15)


def test_filters_by_class_and_by_kind():
    assert classrooms(TODO) == ["一年级(1)班", "二年级(1)班"]
    assert kinds(TODO) == {CALL: "每月与家长通话", VISIT: "期中家访", TALK: "重点儿童每周谈心"}
    one_class = filter_todo(TODO, classroom="一年级(1)班")
    assert sorted(set(one_class["child_name"])) == ["安安", "贝贝"]
    talks = filter_todo(TODO, rule_id=TALK)
    assert [g.child_name for g in group_by_child(talks)] == ["晨晨", "贝贝"]
    both = filter_todo(TODO, classroom="二年级(1)班", rule_id=CALL)
    assert both.empty and group_by_child(both) == []


def test_counts_for_the_header():
    c = counts(TODO)
    assert (c.children, c.duties, c.overdue, c.overdue_children) == (3, 6, 3, 2)
    assert counts(TODO.iloc[0:0]).children == 0


def test_the_rule_says_which_contacts_do_not_count():
    talk = excludes_hint(["child"], ["meeting"])
    assert talk == Hint("todo.excludes.who", {"others": ("father", "mother", "guardian")})
    assert explain(talk) == "与父亲、母亲、监护人的联系不计入"
    visit = excludes_hint(["father", "mother", "guardian", "child"], ["home_visit"])
    assert explain(visit) == "电话、视频、书信、面谈、家长会不计入"
    assert excludes_hint(["father", "mother", "guardian", "child"], []) is None


def test_a_guardian_visit_does_not_clear_the_weekly_talk_and_the_card_says_why(
    session,
    school_case,  # noqa: F811
):
    school, _head, mentor, room, term = school_case
    key_child = make_child(session, school, room, is_key=True)
    pair(session, mentor, key_child, term)
    log_contact(session, key_child, date(2026, 11, 10), "guardian", "home_visit")

    (group,) = group_by_child(my_todo(session, actor_of(session, mentor), as_of=NOV_15))
    talk = group.duties.iloc[0]
    assert group.child_id == key_child.id
    assert explain(talk["meets"]) + "，" + explain(talk["excludes"]) == (
        "需面谈联系儿童本人，与父亲、母亲、监护人的联系不计入"
    )
    assert explain(talk["not_counted"][0]) == "2026-11-10与监护人的家访不计入"


def test_a_child_with_an_early_warning_comes_after_overdue_ones_and_before_the_rest():
    warned = duty(4, "丁丁", "一年级(1)班", CALL, due_by=date(2026, 11, 30)) | {
        "rule_id": GROWTH_WARNING,
        "rule_name": "成绩明显下滑：安排谈心/家访",
    }
    groups = group_by_child(pd.concat([TODO, todo_frame(warned)], ignore_index=True))
    assert [g.child_name for g in groups] == ["晨晨", "贝贝", "丁丁", "安安"]
    assert kinds(todo_frame(warned)) == {GROWTH_WARNING: "成长预警"}
