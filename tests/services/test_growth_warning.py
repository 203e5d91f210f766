"""The early warning of 成长记录 on 重点关注 and 我的待办: a child whose results or observation
fell (services/growth/terms.py `falls`) between recent terms, with the figures, for the teachers
responsible for the child."""

from datetime import UTC, date, datetime

import pytest

from db.enums import ContactChannel, ContactOutcome, Counterpart, LeftBehindType, Role
from db.growth_models import TermResult
from services.compliance.risk import risk_by_class, risk_list
from services.compliance.todo import my_todo
from services.compliance.todo_groups import GROWTH_WARNING, group_by_child, kinds
from services.compliance.todo_hints import explain
from services.growth.ranking import group_of, rerank
from tests.factories import (
    actor_of,
    make_child,
    make_classroom,
    make_observation,
    make_result,
    make_school,
    make_term,
    make_user,
)
from tests.services.compliance_helpers import log_contact, pair

NOV_28 = date(2026, 11, 28)


def term(session, school, name, start, end):  # type: ignore[no-untyped-def]
    made = make_term(session, school, start, end)
    made.name = name
    return made


def ranked(session, kids, in_term, scores):  # type: ignore[no-untyped-def]
    """语文 and 数学 with the same scores, ranked in their class."""
    for subject in ("语文", "数学"):
        rows = [
            make_result(session, kid, in_term, subject, score)
            for kid, score in zip(kids, scores, strict=True)
        ]
        rerank(session, [group_of(r) for r in rows])


@pytest.fixture
def county(session):  # type: ignore[no-untyped-def]
    """Class A: 滑落 (percentile 90 → 10), 平稳, 情绪 (情绪 4 → 2), two more; class B: 乙滑落;
    陈年 fell long ago (2025), 春落 fell into the last ended term."""
    school = make_school(session)
    head_a = make_user(session, school, Role.HEAD_TEACHER)
    head_b = make_user(session, school, Role.HEAD_TEACHER)
    paired_teacher = make_user(session, school, Role.TEACHER)
    room_a = make_classroom(session, school, head=head_a)
    room_b = make_classroom(session, school, number=2, head=head_b)
    spring_25 = term(session, school, "2025年春季学期", date(2025, 2, 24), date(2025, 7, 10))
    autumn_25 = term(session, school, "2025年秋季学期", date(2025, 9, 1), date(2026, 1, 20))
    spring = term(session, school, "2026年春季学期", date(2026, 2, 24), date(2026, 7, 10))
    autumn = term(session, school, "2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20))
    kid = {}
    for name in ("滑落", "平稳", "情绪", "甲三", "甲四", "陈年", "春落"):
        kid[name] = make_child(session, school, room_a, name=name)
    for name in ("乙滑落", "乙二", "乙三"):
        kid[name] = make_child(session, school, room_b, LeftBehindType.NONE, name=name)
    class_a = [kid[n] for n in ("滑落", "平稳", "情绪", "甲三", "甲四")]
    ranked(session, class_a, spring, (90, 70, 65, 60, 50))
    ranked(session, class_a, autumn, (40, 75, 66, 60, 50))
    class_b = [kid[n] for n in ("乙滑落", "乙二", "乙三")]
    ranked(session, class_b, spring, (95, 70, 60))
    ranked(session, class_b, autumn, (50, 70, 60))
    make_observation(session, kid["情绪"], spring, (4, 4, 4, 4))
    make_observation(session, kid["情绪"], autumn, (4, 2, 4, 4))
    make_observation(session, kid["平稳"], spring, (3, 3, 3, 3))
    make_observation(session, kid["平稳"], autumn, (4, 3, 3, 3))
    make_observation(session, kid["陈年"], spring_25, (5, 5, 5, 5))
    make_observation(session, kid["陈年"], autumn_25, (2, 2, 2, 2))
    make_observation(session, kid["春落"], autumn_25, (3, 5, 3, 3))
    make_observation(session, kid["春落"], spring, (3, 2, 3, 3))
    pair(session, paired_teacher, kid["滑落"], autumn)
    session.flush()
    users = {"head_a": head_a, "head_b": head_b, "paired": paired_teacher}
    return school, kid, users


def reasons_of(frame, name):  # type: ignore[no-untyped-def]
    row = frame[frame["child_name"] == name]
    return dict(zip(row.iloc[0]["reasons"], row.iloc[0]["reason_labels"], strict=True))


def test_a_falling_child_is_on_the_risk_list_with_the_figures(session, county):  # type: ignore[no-untyped-def]
    school, _kid, _users = county
    principal = make_user(session, school, Role.PRINCIPAL)
    rows = risk_list(session, actor_of(session, principal), as_of=NOV_28)
    warned = {n for n in rows["child_name"] if "growth_fall" in reasons_of(rows, n)}
    assert warned == {"滑落", "情绪", "乙滑落", "春落"}
    assert reasons_of(rows, "滑落")["growth_fall"] == "成绩明显下滑：百分位 90→10"
    assert reasons_of(rows, "情绪")["growth_fall"] == "情绪评价下降 2 级（4→2）"
    assert "成绩明显下滑：百分位 90→10" in rows.set_index("child_name").loc["滑落", "reason_text"]
    # 陈年 fell between 2025's terms: history, not a reason today; 平稳 rose
    assert "平稳" not in set(rows["child_name"]) or "growth_fall" not in reasons_of(rows, "平稳")
    assert "陈年" not in warned


def test_the_head_teacher_sees_only_own_class_and_the_bureau_sees_names_masked(session, county):  # type: ignore[no-untyped-def]
    school, _kid, users = county
    of_a = risk_list(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "乙滑落" not in set(of_a["child_name"]) and "滑落" in set(of_a["child_name"])
    bureau = make_user(session, None, Role.BUREAU, county=school.county)
    masked = risk_list(session, actor_of(session, bureau), as_of=NOV_28)
    fell = masked[masked["reasons"].map(lambda r: "growth_fall" in r)]
    assert len(fell) == 4 and "滑落" not in set(masked["child_name"])
    by_class = risk_by_class(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "成绩或成长观察明显下滑 3" in by_class.iloc[0]["reason_text"]


def test_the_responsible_teachers_have_the_duty_and_others_do_not(session, county):  # type: ignore[no-untyped-def]
    _school, _kid, users = county
    head_a = my_todo(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    warned = head_a[head_a["rule_id"] == GROWTH_WARNING].set_index("child_name")
    assert set(warned.index) == {"滑落", "情绪", "春落"}
    assert warned.loc["滑落", "rule_name"] == "成绩明显下滑：安排谈心/家访"
    assert warned.loc["情绪", "rule_name"] == "情绪评价下降：安排谈心/家访"
    assert explain(warned.loc["滑落", "meets"]).startswith("百分位 90→10；")
    assert explain(warned.loc["情绪", "meets"]).startswith("情绪 4→2；")
    assert warned.loc["滑落", "due_by"] == date(2026, 11, 30)
    assert warned.loc["滑落", "counterpart"] == Counterpart.CHILD.value
    assert kinds(head_a)[GROWTH_WARNING] == "成长预警"
    assert [g.child_name for g in group_by_child(head_a)]  # the cards group it like any duty
    paired = my_todo(session, actor_of(session, users["paired"]), as_of=NOV_28)
    assert paired[paired["rule_id"] == GROWTH_WARNING]["child_name"].tolist() == ["滑落"]
    head_b = my_todo(session, actor_of(session, users["head_b"]), as_of=NOV_28)
    assert head_b[head_b["rule_id"] == GROWTH_WARNING]["child_name"].tolist() == ["乙滑落"]


def test_a_talk_logged_after_the_results_closes_the_duty(session, county):  # type: ignore[no-untyped-def]
    _school, kid, users = county
    for result in session.query(TermResult).filter(TermResult.child_id == kid["滑落"].id):
        result.updated_at = datetime(2026, 11, 21, 2, tzinfo=UTC)
    session.flush()
    log_contact(session, kid["滑落"], date(2026, 11, 20), Counterpart.CHILD, ContactChannel.MEETING)
    before = my_todo(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "滑落" in set(before[before["rule_id"] == GROWTH_WARNING]["child_name"])
    log_contact(session, kid["滑落"], date(2026, 11, 24), Counterpart.CHILD, ContactChannel.MEETING,
                summary=None, outcome=ContactOutcome.NO_ANSWER)  # fmt: skip
    unanswered = my_todo(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "滑落" in set(unanswered[unanswered["rule_id"] == GROWTH_WARNING]["child_name"])
    log_contact(session, kid["滑落"], date(2026, 11, 25), Counterpart.CHILD, ContactChannel.MEETING)
    after = my_todo(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "滑落" not in set(after[after["rule_id"] == GROWTH_WARNING]["child_name"])
    rows = risk_list(session, actor_of(session, users["head_a"]), as_of=NOV_28)
    assert "growth_fall" in reasons_of(rows, "滑落")  # still a child to watch
