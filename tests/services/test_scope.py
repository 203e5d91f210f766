"""Role scopes attacked directly at the service layer (services/scope.py, DESIGN.md §5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.enums import Role
from db.models import Child, Pairing
from services.errors import NotAllowed, NotFound
from services.scope import child_visibility, ensure_child_visible, ensure_school
from tests.factories import actor_of, make_child, make_classroom, make_school, make_term, make_user
from tests.services.accounts_helpers import make_pairing


@pytest.fixture
def town(session):
    """Two classes in one school, a school in the same county, one in another county."""
    school = make_school(session, county="青山县")
    neighbour = make_school(session, name="邻校", county="青山县")
    far = make_school(session, name="外县学校", county="远山县")
    term = make_term(session, school)
    head = make_user(session, school, Role.HEAD_TEACHER, username="head")
    other_head = make_user(session, school, Role.HEAD_TEACHER, username="other_head")
    teacher = make_user(session, school, Role.TEACHER, username="teacher")
    own_class = make_classroom(session, school, 3, 1, head=head)
    other_class = make_classroom(session, school, 3, 2, head=other_head)
    kids = {
        "own": make_child(session, school, own_class),
        "other": make_child(session, school, other_class),
        "paired_with_head": make_child(session, school, other_class),
        "paired_with_teacher": make_child(session, school, other_class),
        "neighbour": make_child(session, neighbour),
        "far": make_child(session, far),
    }
    make_pairing(session, head, kids["paired_with_head"], term)
    make_pairing(session, teacher, kids["paired_with_teacher"], term)
    users = {
        Role.HEAD_TEACHER: head,
        Role.TEACHER: teacher,
        Role.ADMIN: make_user(session, school, Role.ADMIN),
        Role.PRINCIPAL: make_user(session, school, Role.PRINCIPAL),
        Role.COUNSELLOR: make_user(session, school, Role.COUNSELLOR),
        Role.BUREAU: make_user(session, None, Role.BUREAU, county="青山县"),
    }
    actors = {role: actor_of(session, user) for role, user in users.items()}
    return actors, {name: child.id for name, child in kids.items()}, school


EXPECTED = {
    Role.HEAD_TEACHER: {"own", "paired_with_head"},
    Role.TEACHER: {"paired_with_teacher"},
    Role.ADMIN: {"own", "other", "paired_with_head", "paired_with_teacher"},
    Role.PRINCIPAL: {"own", "other", "paired_with_head", "paired_with_teacher"},
    Role.COUNSELLOR: {"own", "other", "paired_with_head", "paired_with_teacher"},
    Role.BUREAU: {"own", "other", "paired_with_head", "paired_with_teacher", "neighbour"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lists_exactly_its_children(session, town, role):
    actors, kids, _ = town
    visible = set(session.scalars(select(Child.id).where(child_visibility(actors[role]))))
    assert visible == {kids[name] for name in EXPECTED[role]}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_every_child_outside_its_scope(session, town, role):
    actors, kids, _ = town
    for name, child_id in kids.items():
        if name in EXPECTED[role] and role != Role.BUREAU:
            assert ensure_child_visible(session, actors[role], child_id).id == child_id
        else:
            with pytest.raises(NotAllowed):
                ensure_child_visible(session, actors[role], child_id)


def test_bureau_never_opens_a_single_childs_full_record(session, town):
    actors, kids, _ = town
    with pytest.raises(NotAllowed):
        ensure_child_visible(session, actors[Role.BUREAU], kids["own"])


def test_head_teacher_asking_for_another_class_child_gets_not_allowed(session, town):
    actors, kids, _ = town
    with pytest.raises(NotAllowed):
        ensure_child_visible(session, actors[Role.HEAD_TEACHER], kids["other"])


def test_a_missing_child_is_not_found_not_not_allowed(session, town):
    actors, _, _ = town
    with pytest.raises(NotFound):
        ensure_child_visible(session, actors[Role.PRINCIPAL], 999_999)


def test_a_pairing_that_was_deleted_no_longer_opens_the_child(session, town):
    actors, kids, _ = town
    pairing = session.scalar(select(Pairing).where(Pairing.child_id == kids["paired_with_teacher"]))
    pairing.deleted_at = pairing.created_at
    session.flush()
    with pytest.raises(NotAllowed):
        ensure_child_visible(session, actors[Role.TEACHER], kids["paired_with_teacher"])


def test_only_own_school_passes_ensure_school(session, town):
    actors, _, school = town
    ensure_school(actors[Role.PRINCIPAL], school.id)
    with pytest.raises(NotAllowed):
        ensure_school(actors[Role.PRINCIPAL], school.id + 1)
    with pytest.raises(NotAllowed):
        ensure_school(actors[Role.BUREAU], school.id)


def test_a_school_user_without_a_school_sees_nothing(session, town):
    nobody = actor_of(session, make_user(session, None, Role.PRINCIPAL, county="青山县"))
    assert session.scalars(select(Child.id).where(child_visibility(nobody))).all() == []
