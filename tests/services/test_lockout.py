"""Lockout that cannot be used as a weapon (#13 item 7, DESIGN.md §9): 5 wrong passwords from one
address lock that address for that account for 15 minutes; 20 in 15 minutes from anywhere lock
the account (shown to the administrator, who can unlock it) and end its sessions. The clock is
passed in, never slept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.enums import AuditAction, Role
from db.models import UserSession
from services.accounts import lockout, session_admin, signin, user_list
from services.errors import NotAllowed
from tests.factories import TEST_PASSWORD, actor_of, make_school, make_user
from tests.services.accounts_helpers import T0, audit_rows, reload_user

ATTACKER, TEACHER_PC = "203.0.113.66", "198.51.100.7"
WRONG = "bad-guess-1"


def attempt(session, address, password=WRONG, at=T0, username="admin"):  # type: ignore[no-untyped-def]
    return signin.authenticate(session, username, password, at=at, client_address=address)


@pytest.fixture
def admin_user(session, school):  # type: ignore[no-untyped-def]
    return make_user(session, school, Role.ADMIN, username="admin")


def test_five_failures_from_one_address_lock_that_address_only(session, admin_user):
    live = attempt(session, TEACHER_PC, TEST_PASSWORD)
    assert live is not None
    for minute in range(5):
        assert attempt(session, ATTACKER, at=T0 + timedelta(minutes=minute)) is None
    assert attempt(session, ATTACKER, TEST_PASSWORD, at=T0 + timedelta(minutes=5)) is None

    details = [e.detail for e in audit_rows(session, AuditAction.LOGIN_FAILED)]
    assert details == ["wrong_password"] * 4 + ["locked_now", "address_locked"]
    locked = lockout.address_locked_until(session, admin_user.id, ATTACKER, T0)
    assert locked == T0 + timedelta(minutes=4) + lockout.LOCKOUT
    # The account is not locked: its owner signs in from elsewhere, its session lives on.
    assert reload_user(session, admin_user.id).locked_until is None
    at = T0 + timedelta(minutes=6)
    assert attempt(session, TEACHER_PC, TEST_PASSWORD, at=at) is not None
    assert signin.check_session(session, live.session_id, at=at).sign_in is not None


def test_an_address_lock_lifts_after_fifteen_minutes_and_the_count_starts_again(
    session, admin_user
):
    for _ in range(5):
        attempt(session, ATTACKER)
    end = T0 + lockout.LOCKOUT
    assert attempt(session, ATTACKER, TEST_PASSWORD, at=end - timedelta(seconds=1)) is None
    assert attempt(session, ATTACKER, at=end) is None  # a fresh count: 1
    assert lockout.address_locked_until(session, admin_user.id, ATTACKER, end) is None
    assert attempt(session, ATTACKER, TEST_PASSWORD, at=end) is not None


def test_a_success_from_an_address_clears_its_count(session, admin_user):
    for _ in range(4):
        attempt(session, TEACHER_PC)
    assert attempt(session, TEACHER_PC, TEST_PASSWORD) is not None
    for _ in range(4):
        attempt(session, TEACHER_PC)
    assert lockout.address_locked_until(session, admin_user.id, TEACHER_PC, T0) is None
    assert attempt(session, TEACHER_PC, TEST_PASSWORD) is not None


def test_twenty_failures_in_fifteen_minutes_lock_the_account_and_end_its_sessions(
    session, school, admin_user, monkeypatch
):
    live = attempt(session, TEACHER_PC, TEST_PASSWORD)
    addresses = [f"203.0.113.{n}" for n in range(1, 5)]
    for n in range(lockout.ACCOUNT_MAX_FAILURES):
        attempt(session, addresses[n % 4], at=T0 + timedelta(seconds=30 * n))
    at = T0 + timedelta(minutes=10)

    user = reload_user(session, admin_user.id)
    assert signin.as_utc(user.locked_until) == T0 + timedelta(seconds=30 * 19) + lockout.LOCKOUT
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "account_locked_now"
    assert signin.check_session(session, live.session_id, at=at).ended_reason == "locked"
    session.expire_all()
    assert session.get(UserSession, live.session_id).revoked_reason == "locked"
    assert attempt(session, "192.0.2.1", TEST_PASSWORD, at=at) is None  # from anywhere
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "locked"
    # The administrator sees it on the users page.
    monkeypatch.setattr(user_list, "now", lambda: at)
    admin = actor_of(session, make_user(session, school, Role.ADMIN, username="second"))
    rows = {row.username: row for row in user_list.list_users(session, admin)}
    assert rows["admin"].locked and not rows["second"].locked


def test_the_administrator_unlocks_an_account(session, school, admin_user):
    for n in range(lockout.ACCOUNT_MAX_FAILURES):
        attempt(session, f"203.0.113.{n % 5}")
    other_admin = actor_of(session, make_user(session, school, Role.ADMIN, username="second"))
    session_admin.unlock_user(session, other_admin, admin_user.id)

    fresh = reload_user(session, admin_user.id)
    assert (fresh.locked_until, fresh.failed_logins) == (None, 0)
    assert lockout.address_locked_until(session, admin_user.id, "203.0.113.0", T0) is None
    assert attempt(session, "203.0.113.0", TEST_PASSWORD) is not None
    entry = audit_rows(session, AuditAction.UPDATE)[-1]
    assert (entry.entity, entry.entity_id, entry.detail) == ("user", admin_user.id, "unlocked")


def test_only_the_schools_administrator_unlocks(session, school, admin_user):
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL, username="principal"))
    stranger = actor_of(session, make_user(session, make_school(session, name="别校"), Role.ADMIN))
    for actor in (principal, stranger):
        with pytest.raises(NotAllowed):
            session_admin.unlock_user(session, actor, admin_user.id)


def test_an_account_lock_lifts_by_itself_after_fifteen_minutes(session, admin_user):
    for n in range(lockout.ACCOUNT_MAX_FAILURES):
        attempt(session, f"203.0.113.{n % 5}")
    later = T0 + lockout.LOCKOUT
    assert attempt(session, TEACHER_PC, TEST_PASSWORD, at=later - timedelta(seconds=1)) is None
    assert attempt(session, TEACHER_PC, TEST_PASSWORD, at=later) is not None


def test_failures_spread_over_more_than_the_window_do_not_add_up(session, admin_user):
    def nineteen(start):  # type: ignore[no-untyped-def]
        for n in range(19):
            attempt(session, f"203.0.113.{n % 4}", at=start + timedelta(seconds=n))

    nineteen(T0)
    nineteen(T0 + lockout.LOCKOUT + timedelta(minutes=1))
    assert reload_user(session, admin_user.id).locked_until is None
    later = T0 + lockout.LOCKOUT + timedelta(minutes=2)
    assert attempt(session, TEACHER_PC, TEST_PASSWORD, at=later) is not None


def test_a_sign_in_does_not_reset_the_account_wide_count(session, admin_user):
    """Otherwise an attacker's count would restart whenever the owner signs in."""
    for n in range(lockout.ACCOUNT_MAX_FAILURES - 1):
        attempt(session, f"203.0.113.{n % 4}")
    assert attempt(session, TEACHER_PC, TEST_PASSWORD) is not None
    attempt(session, ATTACKER)
    assert reload_user(session, admin_user.id).locked_until is not None


def test_lockout_bookkeeping_does_not_bump_the_users_version(session, admin_user):
    version = admin_user.version
    for n in range(lockout.ACCOUNT_MAX_FAILURES):
        attempt(session, f"203.0.113.{n % 5}")
    assert reload_user(session, admin_user.id).version == version
