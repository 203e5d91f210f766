"""AppTest: 关爱成效 for the principal (the school's own groups, small ones too), the bureau
("<10" for groups under ten) and a school that has entered nothing yet."""

import pytest

from db.enums import Role
from tests.factories import actor_of, make_child, make_classroom, make_school, make_term, make_user
from tests.pages.apptest import run_page, texts
from tests.services.test_outcome import county_class


@pytest.fixture
def outcome_case(app_env, session):
    """One class of the autumn term (today's): 12 left-behind children with results and
    observations, 3 classmates with results; a second school of the county with a term and
    nothing entered."""
    school = make_school(session)
    county_class(session, school, 12, 3)
    empty = make_school(session, "二小")
    make_term(session, empty)
    make_child(session, empty, make_classroom(session, empty))
    actors = {
        "principal": make_user(session, school, Role.PRINCIPAL),
        "bureau": make_user(session, None, Role.BUREAU, county=school.county),
        "empty": make_user(session, empty, Role.PRINCIPAL),
    }
    session.commit()
    return {name: actor_of(session, user) for name, user in actors.items()}


def group_rows(at) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The first term table's rows by group name."""
    frame = at.dataframe[0].value
    return {row.iloc[0]: [str(v) for v in row.iloc[1:]] for _, row in frame.iterrows()}


def test_principal_sees_the_groups_charts_and_the_note(outcome_case):
    at = run_page("pages/outcome.py", outcome_case["principal"])
    assert not at.exception
    shown = texts(at)
    assert "相关关系" in shown and "2026年秋季学期" in shown
    assert len(at.get("plotly_chart")) == 2
    rows = group_rows(at)
    assert rows["留守儿童"][:2] == ["12", "12"] and rows["非留守同学"][:2] == ["3", "3"]
    assert rows["非留守同学"][2] != "<10"  # the school sees its own small groups
    assert "<10" not in shown


def test_bureau_sees_under_ten_as_less_than_ten(outcome_case):
    at = run_page("pages/outcome.py", outcome_case["bureau"])
    assert not at.exception
    assert "不足10人的分组" in texts(at)
    rows = group_rows(at)
    assert rows["非留守同学"][:3] == ["<10", "<10", "<10"]  # 3 children
    assert rows["留守儿童"][0] == "13"  # both schools' left-behind children
    assert rows["留守儿童"][2] == "<10"  # its comparison's other side is hidden
    assert rows["留守儿童"][5] == "12"  # observed: classmates have none, nothing to hide


def test_a_school_with_nothing_entered_says_where_to_enter_it(outcome_case):
    at = run_page("pages/outcome.py", outcome_case["empty"])
    assert not at.exception
    assert "成绩录入" in texts(at) and "成长观察" in texts(at)
    assert not at.get("plotly_chart")
