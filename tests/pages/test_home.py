"""The home page shows the school's headline counts in Chinese, for every role."""

import pytest

from db.enums import LeftBehindType, Role
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.pages.apptest import metrics, run_page, texts


@pytest.fixture
def school_case(app_env, session):
    school = make_school(session)
    room = make_classroom(session, school)
    kinds = [LeftBehindType.BOTH] * 3 + [LeftBehindType.FATHER] * 2 + [LeftBehindType.NONE] * 5
    for kind in kinds:
        make_child(session, school, room, kind)
    users = {role: make_user(session, school, role) for role in Role if role != Role.BUREAU}
    users[Role.BUREAU] = make_user(session, None, Role.BUREAU, county=school.county)
    session.commit()
    return {role: actor_of(session, user) for role, user in users.items()}


@pytest.mark.parametrize("role", list(Role))
def test_home_shows_headline_counts(school_case, role):
    shown = metrics(run_page("pages/home.py", school_case[role]))
    assert shown["在校生总数"] == "10"
    assert shown["留守儿童数"] == "5"
    assert shown["留守儿童占比"] == "50.0%"
    assert shown["双亲外出占比"] == "60.0%"


def test_home_on_an_empty_school_says_what_to_do(app_env, session):
    school = make_school(session)
    actor = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    session.commit()
    at = run_page("pages/home.py", actor)
    assert "尚无儿童档案" in texts(at)


def test_home_in_english(school_case):
    at = run_page("pages/home.py", school_case[Role.PRINCIPAL], language="en")
    assert metrics(at)["Pupils"] == "10"
    assert at.title[0].value == "Home"
