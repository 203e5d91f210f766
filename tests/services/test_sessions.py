"""Server-side sessions (#13 item 5, DESIGN.md §4 Session): one record per sign-in, its key in
the cookie; revoked at logout, at a password change or reset, at lockout and by the
administrator; idle per session. The cookie token: only HS256 with the key, never `alg=none`.
The clock is passed in, never slept."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from db.enums import AuditAction, Role
from db.models import UserSession
from services.accounts import session_admin, sessions, signin, user_admin
from services.accounts.signin import as_utc
from services.errors import NotAllowed
from tests.factories import TEST_PASSWORD, actor_of, make_school, make_user
from tests.services.accounts_helpers import T0, audit_rows

KEY = "Zq8-Kp2xN4vW7yR1tB6mC3hJ9sD5fG0aLe-test" * 2  # 78 bytes: long enough for HS512 too
HOME, PHONE = "203.0.113.5", "198.51.100.7"


def sign_in(session, username="li", at=T0, address=HOME) -> signin.SignIn:  # type: ignore[no-untyped-def]
    result = signin.authenticate(session, username, TEST_PASSWORD, at=at, client_address=address)
    assert result is not None and result.session_key
    return result


def ticket(result: signin.SignIn) -> sessions.Ticket:
    return sessions.Ticket(result.actor.username, result.session_key or "")


def record(session, session_id: int) -> UserSession:  # type: ignore[no-untyped-def]
    session.expire_all()
    row = session.get(UserSession, session_id)
    assert row is not None
    return row


@pytest.fixture
def li(session, school):  # type: ignore[no-untyped-def]
    return make_user(session, school, Role.TEACHER, username="li")


@pytest.fixture
def admin(session, school):  # type: ignore[no-untyped-def]
    return actor_of(session, make_user(session, school, Role.ADMIN, username="boss"))


# --- the record ------------------------------------------------------------------------------


def test_a_sign_in_opens_a_session_record_with_the_client_address(session, li):
    result = sign_in(session)
    row = record(session, result.session_id)
    assert (row.user_id, row.client_address, row.revoked_at) == (li.id, HOME, None)
    assert as_utc(row.created_at) == as_utc(row.last_seen_at) == T0
    assert row.key_hash == sessions.key_hash(result.session_key or "")
    assert result.session_key not in row.key_hash  # only the hash is stored
    assert len(result.session_key or "") >= 40


def test_every_sign_in_gets_its_own_key(session, li):
    first, second = sign_in(session), sign_in(session, address=PHONE)
    assert first.session_id != second.session_id
    assert first.session_key != second.session_key


def test_a_cookie_copied_before_logout_is_refused_after_the_user_signs_in_again(session, li):
    first = sign_in(session)
    copied = ticket(first)
    signin.end_session(session, first.actor, first.session_id, at=T0 + timedelta(minutes=1))
    again = sign_in(session, at=T0 + timedelta(minutes=2))

    assert signin.resume_session(session, copied, at=T0 + timedelta(minutes=3)) is None
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "cookie_revoked"
    resumed = signin.resume_session(session, ticket(again), at=T0 + timedelta(minutes=3))
    assert resumed is not None and resumed.session_id == again.session_id


def test_logout_ends_this_session_only(session, li):
    pc, phone = sign_in(session), sign_in(session, address=PHONE)
    signin.end_session(session, pc.actor, pc.session_id, at=T0 + timedelta(minutes=1))
    later = T0 + timedelta(minutes=2)
    assert signin.check_session(session, pc.session_id, at=later).ended_reason == "revoked"
    assert signin.check_session(session, phone.session_id, at=later).sign_in is not None
    row = record(session, pc.session_id)
    assert (as_utc(row.revoked_at), row.revoked_reason) == (T0 + timedelta(minutes=1), "logout")
    [logout] = audit_rows(session, AuditAction.LOGOUT)
    assert (logout.username, logout.detail) == ("li", "logout")


def test_idle_time_is_per_session(session, li):
    busy, idle = sign_in(session), sign_in(session, address=PHONE)
    for minutes in (20, 40):
        signin.touch_session(session, busy.session_id, at=T0 + timedelta(minutes=minutes))
    at = T0 + timedelta(minutes=45)
    assert signin.check_session(session, busy.session_id, at=at).sign_in is not None
    assert signin.check_session(session, idle.session_id, at=at).ended_reason == "idle"
    assert signin.resume_session(session, ticket(idle), at=at) is None
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "cookie_idle"
    assert record(session, idle.session_id).revoked_reason == "idle"  # ended for good


def test_touch_is_needed_only_once_a_minute_per_session(session, li):
    result = sign_in(session)
    assert not signin.needs_touch(session, result.session_id, at=T0 + timedelta(seconds=30))
    assert signin.needs_touch(session, result.session_id, at=T0 + timedelta(seconds=61))
    signin.touch_session(session, result.session_id, at=T0 + timedelta(seconds=61))
    assert not signin.needs_touch(session, result.session_id, at=T0 + timedelta(seconds=90))


def test_a_cookie_resumes_its_own_session(session, li):
    result = sign_in(session)
    resumed = signin.resume_session(
        session, ticket(result), at=T0 + timedelta(minutes=10), client_address=PHONE
    )
    assert resumed is not None
    assert (resumed.session_id, resumed.actor.user_id) == (result.session_id, li.id)
    assert as_utc(record(session, result.session_id).last_seen_at) == T0 + timedelta(minutes=10)
    assert audit_rows(session, AuditAction.LOGIN)[-1].detail == "cookie"


def test_a_cookie_with_another_users_name_or_an_unknown_key_is_refused(session, li, school):
    make_user(session, school, username="wang")
    result = sign_in(session)
    at = T0 + timedelta(minutes=1)
    stolen = sessions.Ticket("wang", result.session_key or "")
    assert signin.resume_session(session, stolen, at=at) is None
    assert signin.resume_session(session, sessions.Ticket("li", "guessed-key"), at=at) is None
    details = [e.detail for e in audit_rows(session, AuditAction.LOGIN_FAILED)]
    assert details == ["cookie_unknown", "cookie_unknown"]


def test_changing_ones_password_ends_every_other_session(session, li):
    here, there = sign_in(session), sign_in(session, address=PHONE)
    signin.change_own_password(
        session, here.actor, TEST_PASSWORD, "Lanhua-2026x", keep_session_id=here.session_id
    )
    at = T0 + timedelta(minutes=1)
    assert signin.check_session(session, here.session_id, at=at).sign_in is not None
    assert signin.check_session(session, there.session_id, at=at).ended_reason == "revoked"
    assert record(session, there.session_id).revoked_reason == "password_changed"
    assert signin.resume_session(session, ticket(there), at=at) is None


def test_a_password_reset_by_the_admin_ends_all_sessions(session, li, admin):
    here, there = sign_in(session), sign_in(session, address=PHONE)
    user_admin.reset_password(session, admin, li.id)
    for result in (here, there):
        assert signin.check_session(session, result.session_id, at=T0).ended_reason == "revoked"
        assert record(session, result.session_id).revoked_reason == "password_reset"


def test_the_admin_ends_a_users_sessions(session, li, admin):
    stranger = actor_of(session, make_user(session, make_school(session, name="别校"), Role.ADMIN))
    here, there = sign_in(session), sign_in(session, address=PHONE)
    with pytest.raises(NotAllowed):  # another school's admin
        session_admin.end_user_sessions(session, stranger, li.id)
    with pytest.raises(NotAllowed):  # not an admin
        session_admin.end_user_sessions(session, here.actor, li.id)

    assert session_admin.end_user_sessions(session, admin, li.id, at=T0) == 2
    for result in (here, there):
        assert record(session, result.session_id).revoked_reason == "admin"
    entry = audit_rows(session, AuditAction.UPDATE)[-1]
    assert (entry.entity, entry.entity_id, entry.detail) == ("user", li.id, "sessions_ended")


def test_open_sessions_are_listed_for_the_admin(session, li, admin):
    pc, phone = sign_in(session), sign_in(session, address=PHONE)
    signin.end_session(session, pc.actor, pc.session_id, at=T0)
    rows = session_admin.open_sessions(session, admin, li.id, at=T0 + timedelta(minutes=1))
    assert [(r.id, r.client_address) for r in rows] == [(phone.session_id, PHONE)]
    assert rows[0].created_at == T0


# --- the cookie token ------------------------------------------------------------------------


def test_a_token_carries_the_username_and_the_session_key(session):
    token = sessions.issue_token("li", "the-key", KEY, at=T0)
    assert sessions.read_token(token, KEY, at=T0 + timedelta(hours=23)) == sessions.Ticket(
        "li", "the-key"
    )
    assert sessions.read_token(token, KEY, at=T0 + sessions.COOKIE_LIFETIME) is None  # expired
    assert sessions.read_token(token, "another-key" * 4, at=T0) is None  # wrong signature


def _unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.not-json.sig",
        "💥." * 3,
        _unsigned({"username": "admin", "sid": "x", "exp": 4_000_000_000}),
        jwt.encode({"username": "admin", "sid": "x", "exp": 4_000_000_000}, KEY, "HS512"),
        jwt.encode({"username": "admin", "exp": 4_000_000_000}, KEY, "HS256"),  # no session
        jwt.encode({"username": 7, "sid": "x", "exp": 4_000_000_000}, KEY, "HS256"),
        jwt.encode({"username": "admin", "sid": ["x"], "exp": 4_000_000_000}, KEY, "HS256"),
        jwt.encode({"username": "admin", "sid": "x"}, KEY, "HS256"),  # no expiry
        jwt.encode({"username": "admin", "sid": "x", "exp": "never"}, KEY, "HS256"),
        # what streamlit-authenticator writes: no session key
        jwt.encode({"username": "admin", "exp_date": 4_000_000_000.0}, KEY, "HS256"),
        "x" * 10_000,
    ],
)
def test_a_malformed_or_unsigned_token_is_no_ticket(token):
    assert sessions.read_token(token, KEY, at=T0) is None
