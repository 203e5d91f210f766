"""The page run's login check (#15): one statement re-checks the session, its user and the
user's classes, and a change written since the last run is seen at once (nothing is cached)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from db.enums import Role
from db.models import TeachingAssignment
from services.accounts import signin
from services.actor import load_actor
from tests.factories import TEST_PASSWORD, make_classroom, make_user
from tests.services.accounts_helpers import T0


def _signed_in(session, school):  # type: ignore[no-untyped-def]
    user = make_user(session, school, Role.HEAD_TEACHER, username="wang")
    result = signin.authenticate(session, "wang", TEST_PASSWORD, at=T0)
    assert result is not None
    return user, result.session_id


def test_the_check_is_one_statement(session, school):
    user, session_id = _signed_in(session, school)
    make_classroom(session, school, head=user)
    session.flush()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        check = signin.check_session(session, session_id, at=T0 + timedelta(minutes=5))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert check.sign_in is not None
    assert len(statements) == 1, statements


def test_the_checked_actor_is_the_loaded_actor_and_sees_new_classes(session, school):
    user, session_id = _signed_in(session, school)
    room = make_classroom(session, school, head=user)
    other = make_classroom(session, school, number=2)
    session.flush()
    first = signin.check_session(session, session_id, at=T0).sign_in
    assert first is not None
    assert first.actor == load_actor(session, user.id)
    assert first.actor.head_of_classroom_ids == {room.id}
    assert first.actor.taught_classroom_ids == set()

    session.add(TeachingAssignment(school_id=school.id, user_id=user.id, classroom_id=other.id))
    session.add(TeachingAssignment(school_id=school.id, user_id=user.id, classroom_id=room.id))
    user.role = Role.TEACHER
    session.flush()
    again = signin.check_session(session, session_id, at=T0).sign_in
    assert again is not None
    assert again.actor.taught_classroom_ids == {room.id, other.id}
    assert again.actor.role == Role.TEACHER


def test_the_check_says_when_last_seen_is_worth_a_write(session, school):
    _, session_id = _signed_in(session, school)
    assert not signin.check_session(session, session_id, at=T0 + timedelta(seconds=30)).needs_touch
    assert signin.check_session(session, session_id, at=T0 + timedelta(seconds=61)).needs_touch


def test_a_disabled_user_ends_the_session_at_the_next_check(session, school):
    user, session_id = _signed_in(session, school)
    user.active = False
    session.flush()
    assert signin.check_session(session, session_id, at=T0).ended_reason == "disabled"
