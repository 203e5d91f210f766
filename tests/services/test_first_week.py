"""The first-week checklist's live status: term calendar, contact rules, staff, children and
建档率, pairing — each step's figures and whether it is done; all done ends the checklist."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from db.enums import LeftBehindType, Role
from db.models import Pairing, School, Term
from services import school_setup
from services.actor import load_actor
from services.errors import NotAllowed
from services.installation import Kind, write_marker
from services.metrics.first_week import checklist, first_week_status
from services.school_setup import AdminDraft, SchoolDraft, SetupDraft
from tests.factories import (
    PARENTS,
    actor_of,
    make_child,
    make_classroom,
    make_school,
    make_term,
    make_user,
)

TODAY = date(2026, 12, 2)
PASSWORD = "Qingshan-2026"


def set_up(session):
    """A school fresh from the wizard: term calendar and rules, nothing else."""
    result = school_setup.set_up_school(
        session,
        SetupDraft(
            SchoolDraft("青山县第一小学", "2143000101", "青山县"),
            AdminDraft("wang", "王老师", PASSWORD, PASSWORD),
            school_setup.suggested_terms(TODAY),
        ),
    )
    session.flush()
    return load_actor(session, result.admin_user_id)


def steps(status) -> dict:
    return {step.key: step for step in status.steps}


def test_a_school_fresh_from_the_wizard_has_calendar_and_rules_and_nothing_else(session):
    admin = set_up(session)
    status = first_week_status(session, admin, TODAY)
    found = steps(status)
    assert list(found) == ["term", "rules", "staff", "children", "pairing"]
    assert found["term"].done and found["term"].figures["term"] == "2026年秋季学期"
    assert found["rules"].done and found["rules"].figures["rules"] == 7
    assert not found["staff"].done and found["staff"].figures["staff"] == 0
    assert not found["children"].done and found["children"].figures["children"] == 0
    assert not found["pairing"].done
    assert not status.all_done


def test_without_a_term_or_rules_those_steps_are_open(session):
    school = make_school(session)
    admin = actor_of(session, make_user(session, school, Role.ADMIN))
    found = steps(first_week_status(session, admin, TODAY))
    assert not found["term"].done and found["term"].figures["term"] == ""
    assert not found["rules"].done


def test_a_term_that_ended_does_not_count_but_a_coming_one_does(session):
    school = make_school(session)
    admin = actor_of(session, make_user(session, school, Role.ADMIN))
    make_term(session, school, start=date(2025, 9, 1), end=date(2026, 1, 20))
    assert not steps(first_week_status(session, admin, TODAY))["term"].done
    make_term(session, school, start=date(2027, 2, 15), end=date(2027, 7, 5))
    assert steps(first_week_status(session, admin, TODAY))["term"].done


def test_everything_done_ends_the_checklist(session):
    admin = set_up(session)
    school = session.get(School, admin.school_id)
    head = make_user(session, school, Role.HEAD_TEACHER)
    make_user(session, school, Role.TEACHER)
    make_user(session, school, Role.ADMIN)  # administrators are not counted as staff
    make_user(session, school, Role.TEACHER, active=False)  # nor disabled accounts
    room = make_classroom(session, school, head=head)
    make_child(session, school, room, LeftBehindType.NONE)
    key_child = make_child(session, school, room, LeftBehindType.BOTH, is_key=True, **PARENTS)
    found = steps(first_week_status(session, admin, TODAY))
    assert found["staff"].done and found["staff"].figures["staff"] == 2
    assert found["children"].figures == {"children": 2, "archive_rate": 1.0}
    assert found["children"].done
    assert not found["pairing"].done
    assert found["pairing"].figures == {
        "paired": 0,
        "left_behind": 1,
        "key_children": 1,
        "paired_key": 0,
    }
    term = session.scalars(select(Term).where(Term.start_date <= TODAY)).one()
    session.add(
        Pairing(school_id=school.id, teacher_id=head.id, child_id=key_child.id, term_id=term.id)
    )
    session.flush()
    status = first_week_status(session, admin, TODAY)
    assert steps(status)["pairing"].done
    assert steps(status)["pairing"].figures["paired_key"] == 1
    assert status.all_done


def test_an_incomplete_archive_keeps_the_children_step_open(session):
    admin = set_up(session)
    school = session.get(School, admin.school_id)
    room = make_classroom(session, school)
    make_child(session, school, room, LeftBehindType.BOTH, guardian_phone=None)
    found = steps(first_week_status(session, admin, TODAY))
    assert found["children"].figures["children"] == 1
    assert found["children"].figures["archive_rate"] == 0.0
    assert not found["children"].done


@pytest.mark.parametrize("role", [Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR])
def test_only_school_leaders_get_the_checklist(session, role):
    school = make_school(session)
    actor = actor_of(session, make_user(session, school, role))
    with pytest.raises(NotAllowed):
        first_week_status(session, actor, TODAY)


def test_the_checklist_is_for_a_new_school_until_everything_is_done(session):
    admin = set_up(session)
    assert checklist(session, admin, TODAY) is not None
    school = session.get(School, admin.school_id)
    school.created_at = datetime(2026, 9, 1, tzinfo=UTC)  # in use for three months
    session.flush()
    assert checklist(session, admin, TODAY) is None


def test_the_demo_school_gets_no_checklist(session):
    admin = set_up(session)
    write_marker(session, Kind.DEMO, [admin.school_id])
    assert checklist(session, admin, TODAY) is None


def test_other_roles_get_no_checklist(session):
    admin = set_up(session)
    teacher = actor_of(session, make_user(session, session.get(School, admin.school_id)))
    assert checklist(session, teacher, TODAY) is None
