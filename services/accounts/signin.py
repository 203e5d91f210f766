"""Sign-in, lockout, sessions and one's own password — all kept in the database so they hold
across app replicas (DESIGN.md §9).

- A password sign-in opens a server-side session (services/accounts/sessions.py); its key goes
  into the sign-in cookie. A cookie re-admits only while that session is open.
- Wrong passwords are counted per account and client address (services/accounts/lockout.py):
  5 from one address lock that address for the account, 20 in 15 minutes lock the account.
- Every page run re-checks the session: open, not idle for 30 minutes, the user active and the
  account not locked.

Login bookkeeping is written with plain UPDATE statements so it never bumps the user's
optimistic-lock `version` and cannot clash with an administrator's edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import AuditAction
from db.models import User
from services import audit
from services.accounts import lockout, sessions
from services.accounts.client import UNKNOWN
from services.accounts.passwords import hash_password, password_issues, verify_password
from services.accounts.sessions import Ticket
from services.accounts.sessions import as_utc as as_utc  # re-exported: callers use signin.as_utc
from services.actor import Actor, actor_of, load_actor
from services.errors import NotAllowed, Problem, ValidationFailed

MAX_FAILED_LOGINS = lockout.ADDRESS_MAX_FAILURES
LOCKOUT = lockout.LOCKOUT
IDLE_TIMEOUT = sessions.IDLE_TIMEOUT
SEEN_REFRESH = sessions.SEEN_REFRESH


def audit_user_change(
    session: Session,
    actor: Actor,
    user_id: int,
    before: dict[str, object],
    after: dict[str, object],
    detail: str,
) -> None:
    """Audit what was done to an account beyond its columns (password, sessions, lock)."""
    audit.record(session, actor, AuditAction.UPDATE, "user", user_id, before, after, detail=detail)


def now() -> datetime:
    """The clock every function here uses by default (tests replace it)."""
    return utcnow()


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, whether they must choose a new password first, and their
    session (`session_key`, for the cookie, only right after a password sign-in)."""

    actor: Actor
    must_change_password: bool
    session_id: int = 0
    session_key: str | None = None


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of re-checking a live session; `ended_reason` is None while it is valid."""

    sign_in: SignIn | None
    ended_reason: str | None = None
    needs_touch: bool = False  # last_seen_at is old enough to be worth a write


def find_user(session: Session, username: str) -> User | None:
    """The (not deleted) user with this username, case-insensitively."""
    query = select(User).where(
        func.lower(User.username) == normalise_username(username), User.deleted_at.is_(None)
    )
    # Fresh values: login bookkeeping is written with UPDATE statements, past the identity map.
    return session.scalar(query.execution_options(populate_existing=True))


def refusal_reason(user: User | None, at: datetime) -> str | None:
    """Why this user may not be signed in right now (password aside), or None."""
    if user is None:
        return "unknown_user"
    if not user.active:
        return "disabled"
    if lockout.account_locked_until(user, at) is not None:
        return "locked"
    return None


_NOT_CHECKED = object()


def check_password(session: Session, username: str, password: str) -> str | None:
    """The stored hash that `password` matches, or None (`stored_hash`, then `matching_hash`)."""
    return matching_hash(password, stored_hash(session, username))


def stored_hash(session: Session, username: str) -> str | None:
    """The user's password hash, None for no such user. Read it in a short read transaction and
    close that before `matching_hash`: bcrypt then holds no connection, snapshot or lock."""
    user = find_user(session, username)
    return user.password_hash if user is not None else None


def matching_hash(password: str, stored: str | None) -> str | None:
    """`stored` if `password` matches it, else None; an unknown user (None) costs the same time.

    Pass the result to `authenticate(..., verified_hash=...)`, so the slow hash check runs before
    the write transaction (50 simultaneous sign-ins otherwise queue past SQLite's busy timeout).
    bcrypt releases the GIL: simultaneous sign-ins hash in parallel, not one after another.
    """
    candidate = stored if stored is not None else _dummy_hash()
    return stored if verify_password(password, candidate) and stored is not None else None


def authenticate(
    session: Session,
    username: str,
    password: str,
    at: datetime | None = None,
    *,
    verified_hash: str | object | None = _NOT_CHECKED,
    client_address: str = UNKNOWN,
) -> SignIn | None:
    """Check a password sign-in from `client_address`; None on any refusal (the caller shows
    one message for all). A success opens a session.

    Every attempt is audited. Wrong passwords count towards the lock of the address and of the
    account (services/accounts/lockout.py). With `verified_hash` from `matching_hash`, the
    password is taken as right only if that hash is still the stored one (a change in between
    refuses it).
    """
    at = at or now()
    user = find_user(session, username)
    if user is None:
        if verified_hash is _NOT_CHECKED:
            verify_password(password, _dummy_hash())
        _audit_failure(session, None, username, "unknown_user")
        return None
    reason = refusal_reason(user, at)
    if reason is None and lockout.address_locked_until(session, user.id, client_address, at):
        reason = "address_locked"
    if reason is not None:
        _audit_failure(session, user, username, reason)
        return None
    if verified_hash is _NOT_CHECKED:
        password_ok = verify_password(password, user.password_hash)
    else:
        password_ok = verified_hash is not None and verified_hash == user.password_hash
    if not password_ok:
        outcome = lockout.record_failure(session, user.id, client_address, at)
        if outcome is lockout.Failure.ACCOUNT_LOCKED:
            sessions.revoke_all(session, user.id, at, "locked")
        _audit_failure(session, user, username, str(outcome))
        return None
    lockout.clear_address(session, user.id, client_address)
    session_id, key = sessions.open_session(session, user.id, at, client_address)
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(last_login_at=at)
        .execution_options(synchronize_session=False)
    )
    actor = load_actor(session, user.id)
    audit.record(session, actor, AuditAction.LOGIN, "user", user.id, detail="password")
    return SignIn(actor, user.must_change_password, session_id, key)


def resume_session(
    session: Session, ticket: Ticket, at: datetime | None = None, client_address: str = UNKNOWN
) -> SignIn | None:
    """Re-admit the holder of a valid sign-in cookie into the session it names — unless that
    session was closed (logout, password change, lockout, the administrator) or idle too long,
    or the user was disabled or locked since."""
    at = at or now()
    row = sessions.find_by_key(session, ticket.key)
    user = session.get(User, row.user_id, populate_existing=True) if row is not None else None
    if user is None or normalise_username(user.username) != normalise_username(ticket.username):
        _audit_failure(session, None, ticket.username, "cookie_unknown")
        return None
    assert row is not None
    reason = refusal_reason(user, at) or sessions.ended_reason(row, at)
    if reason is not None:
        if reason == "idle":
            sessions.revoke(session, row.id, at, "idle")
        _audit_failure(session, user, ticket.username, f"cookie_{reason}")
        return None
    sessions.touch(session, row.id, at)
    actor = load_actor(session, user.id)
    audit.record(session, actor, AuditAction.LOGIN, "user", user.id, detail="cookie")
    return SignIn(actor, user.must_change_password, row.id)


def check_session(session: Session, session_id: int, at: datetime | None = None) -> SessionCheck:
    """Re-check a signed-in session on each page run: still open, not idle, the user active
    and the account not locked. Read-only, one statement (sessions.live); call `touch_session`
    when the result's `needs_touch` says so."""
    at = at or now()
    live = sessions.live(session, session_id)
    if live is None:
        return SessionCheck(None, "revoked")
    row, user = live.row, live.user
    reason = refusal_reason(None if user.deleted_at is not None else user, at)
    reason = reason or sessions.ended_reason(row, at)
    if reason is not None:
        if reason == "revoked" and row.revoked_reason in {"locked", "idle"}:
            reason = row.revoked_reason
        return SessionCheck(None, reason)
    actor = actor_of(user, live.head_of, live.taught)
    sign_in = SignIn(actor, user.must_change_password, row.id)
    return SessionCheck(sign_in, needs_touch=sessions.seen_long_ago(row, at))


def needs_touch(session: Session, session_id: int, at: datetime | None = None) -> bool:
    """True when the session's last_seen_at is old enough to be worth a write."""
    return sessions.needs_touch(session, session_id, at or now())


def touch_session(session: Session, session_id: int, at: datetime | None = None) -> None:
    """Record activity now (the session's idle clock restarts)."""
    sessions.touch(session, session_id, at or now())


def end_session(
    session: Session,
    actor: Actor,
    session_id: int | None = None,
    reason: str = "logout",
    at: datetime | None = None,
) -> None:
    """Sign out of one session (or record why it ended): it is closed, so no cookie issued for
    it admits again. The user's other sessions (another device) stay open."""
    if session_id is not None:
        sessions.revoke(session, session_id, at or now(), reason)
    audit.record(session, actor, AuditAction.LOGOUT, "user", actor.user_id, detail=reason)


def change_own_password(
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    keep_session_id: int | None = None,
) -> None:
    """Change the actor's password after checking the current one and the policy. Every other
    session of the user ends; `keep_session_id`, the one making the change, stays open."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise NotAllowed("user disabled")
    if not verify_password(current_password, user.password_hash):
        raise ValidationFailed(
            [Problem(actor.username, "current_password", "", "accounts.wrong_current_password")]
        )
    problems = [
        Problem(actor.username, "new_password", "", issue.reason, issue.params)
        for issue in password_issues(new_password, user.username)
    ]
    if new_password == current_password:
        problems = [Problem(actor.username, "new_password", "", "accounts.password_unchanged")]
    if problems:
        raise ValidationFailed(problems)
    store_password(
        session,
        actor,
        user,
        new_password,
        must_change=False,
        how="changed",
        keep_session_id=keep_session_id,
    )


def store_password(
    session: Session,
    actor: Actor,
    user: User,
    password: str,
    *,
    must_change: bool,
    how: str,
    keep_session_id: int | None = None,
) -> None:
    """Hash and store a new password, audited without the hash (`how`: "changed" / "reset").

    The user's sessions end (all of them on a reset; all but `keep_session_id` otherwise), so
    a cookie copied before the change admits nobody; a reset also lifts every lock."""
    was_forced = user.must_change_password
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.updated_by = actor.user_id or None
    session.flush()
    audit_user_change(
        session,
        actor,
        user.id,
        {"password": "(old)", "must_change_password": was_forced},
        {"password": f"({how})", "must_change_password": must_change},
        f"password_{how}",
    )
    sessions.revoke_all(session, user.id, now(), f"password_{how}", keep=keep_session_id)
    if how == "reset":  # the administrator's reset lifts every lock (user_admin.reset_password)
        lockout.unlock(session, user.id)


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so both refusals take the same time."""
    return hash_password("timing-equaliser-0")


def _audit_failure(session: Session, user: User | None, username: str, reason: str) -> None:
    audit.record(
        session,
        None,
        AuditAction.LOGIN_FAILED,
        "user",
        user.id if user else None,
        ok=False,
        detail=reason,
        username=(user.username if user else username.strip())[:64],
        school_id=user.school_id if user else None,
    )
