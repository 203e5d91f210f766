"""#13 item 3: user-entered text is shown as text on 我的待办, 一人一档 and 重点关注 — a child named
like a Markdown image makes no request, a formula in a work place is no link (DESIGN.md §3)."""

from __future__ import annotations

import pytest

from components.safe_text import escape_md
from db.enums import ContactChannel, Counterpart, Role
from services.compliance.default_rules import install_default_rules
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.pages.apptest import run_page
from tests.pages.test_dashboard_pages import _term_around_today
from tests.services.care_helpers import make_activity
from tests.services.compliance_helpers import make_rule

BEACON = "![x](http://127.0.0.1:9/beacon.png)"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile(app_env, session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER, display_name="[甲](http://x)老师")
    room = make_classroom(session, school, head=head)
    room.name = "<b>三年级</b>(1)班"
    term = _term_around_today(session, school)
    term.name = "[学期](http://x)"
    install_default_rules(session, school.id)
    make_rule(session, school, BEACON, [Counterpart.GUARDIAN], [ContactChannel.PHONE])
    child = make_child(
        session,
        school,
        room,
        name=BEACON,
        enrolled_on=term.start_date,  # on the books all term: due this month, not 新建档
        guardian_name=FORMULA,
        father_work_detail=FORMULA,
        psychology_notes="**粗** $x$ " + BEACON,
        is_key=True,
    )
    principal = make_user(session, school, Role.PRINCIPAL)
    admin = make_user(session, school, Role.ADMIN, display_name=BEACON)
    actors = {
        Role.HEAD_TEACHER: actor_of(session, head),
        Role.PRINCIPAL: actor_of(session, principal),
        Role.ADMIN: actor_of(session, admin),
    }
    make_activity(session, actors[Role.PRINCIPAL], [room], title=BEACON, day=term.start_date)
    assert child.name == BEACON
    session.commit()
    return actors


def rendered(at) -> list[str]:
    """Every element value and label that Streamlit renders as Markdown."""
    values: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        values += [str(el.value) for el in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success"):
        values += [str(el.value) for el in getattr(at, kind)]
    values += [str(el.label) for el in at.expander]
    values += [str(el.label) for el in at.tabs]
    values += [str(el.label) for el in at.button]
    values += [str(el.label) for el in at.metric]
    values += [str(el.label) for el in at.checkbox]
    return values


def assert_inert(at, *must_show: str) -> None:
    assert not at.exception
    values = rendered(at)
    joined = "\n".join(values)
    for text in must_show:
        assert escape_md(text) in joined, text
    for value in values:
        unescaped = value.replace("\\\\", "")
        assert "![" not in unescaped.replace("\\![", ""), value
        assert "](http" not in unescaped.replace("\\](", ""), value
        assert "<b>" not in unescaped.replace("\\<b\\>", ""), value


def test_todo_shows_names_as_text(hostile):
    at = run_page("pages/todo.py", hostile[Role.HEAD_TEACHER])
    assert_inert(at, BEACON, "<b>三年级</b>(1)班")


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER, Role.PRINCIPAL])
def test_profile_shows_names_notes_and_work_places_as_text(hostile, role):
    at = run_page("pages/child_profile.py", hostile[role])
    assert_inert(at, BEACON, FORMULA, "**粗** $x$ " + BEACON)


def test_risk_page_shows_names_as_text(hostile):
    at = run_page("pages/risk.py", hostile[Role.PRINCIPAL])
    assert_inert(at, BEACON)  # one row per child: the name (a link to 一人一档), escaped


def test_settings_expanders_show_rule_and_term_names_as_text(hostile):
    at = run_page("pages/settings.py", hostile[Role.ADMIN])
    assert_inert(at, BEACON, "[学期](http://x)")


def test_activity_sign_in_labels_show_names_as_text(hostile):
    at = run_page("pages/activities.py", hostile[Role.PRINCIPAL])
    at = at.segmented_control(key="activities.section").set_value("signin").run()
    assert_inert(at, BEACON)
    assert any(escape_md(BEACON) in box.label for box in at.checkbox)


def test_home_and_account_show_the_display_name_as_text(hostile):
    for page in ("pages/home.py", "pages/account.py"):
        assert_inert(run_page(page, hostile[Role.ADMIN]), BEACON)
