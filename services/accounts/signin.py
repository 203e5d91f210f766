"""Sign-in, lockout, idle sessions and one's own password — all kept in the database so they hold
across app replicas (DESIGN.md §9: 5 failures lock for 15 minutes; 30 idle minutes end a session).

Login bookkeeping (failed count, lock, last seen) is written with plain UPDATE statements so it
never bumps the user's optimistic-lock `version` and cannot clash with an administrator's edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import DateTime, case, func, literal, select, update
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import AuditAction
from db.models import User
from services import audit
from services.accounts.actor import Actor, load_actor
from services.accounts.passwords import hash_password, password_issues, verify_password
from services.errors import NotAllowed, Problem, ValidationFailed

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is refreshed at most this often, so most page runs stay read-only.
SEEN_REFRESH = timedelta(minutes=1)


def now() -> datetime:
    """The clock every function here uses by default (tests replace it)."""
    return utcnow()


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored timestamp is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, and whether they must choose a new password first."""

    actor: Actor
    must_change_password: bool


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of re-checking a live session; `ended_reason` is None while it is valid."""

    sign_in: SignIn | None
    ended_reason: str | None = None


def find_user(session: Session, username: str) -> User | None:
    """The (not deleted) user with this username, case-insensitively."""
    query = select(User).where(
        func.lower(User.username) == normalise_username(username), User.deleted_at.is_(None)
    )
    # Fresh values: login bookkeeping is written with UPDATE statements, past the identity map.
    return session.scalar(query.execution_options(populate_existing=True))


def cookie_credentials(session: Session) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator wants, built from the active users.

    No password hashes: passwords are checked here, against the database, never by it.
    """
    rows = session.execute(
        select(User.username, User.display_name, User.role).where(
            User.active.is_(True), User.deleted_at.is_(None)
        )
    ).all()
    return {
        "usernames": {
            normalise_username(username): {"name": name, "roles": [str(role)], "email": None}
            for username, name, role in rows
        }
    }


def refusal_reason(user: User | None, at: datetime) -> str | None:
    """Why this user may not be signed in right now (password aside), or None."""
    if user is None:
        return "unknown_user"
    if not user.active:
        return "disabled"
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > at:
        return "locked"
    return None


_NOT_CHECKED = object()


def check_password(session: Session, username: str, password: str) -> str | None:
    """The stored hash that `password` matches, or None — bcrypt in a READ transaction.

    Run it before `authenticate(..., verified_hash=...)` so the slow hash check does not hold
    SQLite's single write lock (50 simultaneous sign-ins otherwise queue past the busy timeout).
    """
    user = find_user(session, username)
    stored = user.password_hash if user is not None else _dummy_hash()
    return stored if verify_password(password, stored) and user is not None else None


def authenticate(
    session: Session,
    username: str,
    password: str,
    at: datetime | None = None,
    *,
    verified_hash: str | object | None = _NOT_CHECKED,
) -> SignIn | None:
    """Check a password sign-in; None on any refusal (the caller shows one message for all).

    Every attempt is audited. Wrong passwords count towards the lockout; an expired lock
    starts a fresh count. With `verified_hash` from `check_password`, the password is taken
    as right only if that hash is still the stored one (a change in between refuses it).
    """
    at = at or now()
    user = find_user(session, username)
    if user is None:
        if verified_hash is _NOT_CHECKED:
            verify_password(password, _dummy_hash())
        _audit_failure(session, None, username, "unknown_user")
        return None
    reason = refusal_reason(user, at)
    if reason is not None:
        _audit_failure(session, user, username, reason)
        return None
    if verified_hash is _NOT_CHECKED:
        password_ok = verify_password(password, user.password_hash)
    else:
        password_ok = verified_hash is not None and verified_hash == user.password_hash
    if not password_ok:
        locked = _count_failure(session, user, at)
        _audit_failure(session, user, username, "locked_now" if locked else "wrong_password")
        return None
    return _start_session(session, user, at, how="password")


def resume_session(session: Session, username: str, at: datetime | None = None) -> SignIn | None:
    """Re-admit the holder of a valid sign-in cookie, unless the user was disabled, locked,
    signed out or idle for too long since (a cookie alone cannot be revoked)."""
    at = at or now()
    user = find_user(session, username)
    reason = refusal_reason(user, at) or _idle_reason(user, at)
    if reason is not None:
        _audit_failure(session, user, username, f"cookie_{reason}")
        return None
    assert user is not None
    return _start_session(session, user, at, how="cookie")


def check_session(session: Session, user_id: int, at: datetime | None = None) -> SessionCheck:
    """Re-check a signed-in session on each page run: still active, not locked, not idle.

    Read-only; call `touch_session` when `needs_touch` says so.
    """
    at = at or now()
    user = session.get(User, user_id, populate_existing=True)
    if user is not None and user.deleted_at is not None:
        user = None
    reason = refusal_reason(user, at) or _idle_reason(user, at)
    if reason is not None:
        return SessionCheck(None, reason)
    assert user is not None
    return SessionCheck(SignIn(load_actor(session, user.id), user.must_change_password))


def needs_touch(session: Session, user_id: int, at: datetime | None = None) -> bool:
    """True when last_seen_at is old enough to be worth a write."""
    at = at or now()
    seen = as_utc(session.scalar(select(User.last_seen_at).where(User.id == user_id)))
    return seen is None or at - seen >= SEEN_REFRESH


def touch_session(session: Session, user_id: int, at: datetime | None = None) -> None:
    """Record activity now (the idle clock restarts)."""
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(last_seen_at=at or now())
        .execution_options(synchronize_session=False)
    )


def end_session(session: Session, actor: Actor, reason: str = "logout") -> None:
    """Sign out: clear last_seen_at, so no cookie issued before can re-admit the user and
    the user's other open sessions end at their next action too."""
    session.execute(
        update(User)
        .where(User.id == actor.user_id)
        .values(last_seen_at=None)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, actor, AuditAction.LOGOUT, "user", actor.user_id, detail=reason)


def change_own_password(
    session: Session, actor: Actor, current_password: str, new_password: str
) -> None:
    """Change the actor's password after checking the current one and the policy."""
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
    store_password(session, actor, user, new_password, must_change=False, how="changed")


def store_password(
    session: Session, actor: Actor, user: User, password: str, *, must_change: bool, how: str
) -> None:
    """Hash and store a new password, audited without the hash (`how`: "changed" / "reset")."""
    was_forced = user.must_change_password
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.updated_by = actor.user_id or None
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "user",
        user.id,
        {"password": "(old)", "must_change_password": was_forced},
        {"password": f"({how})", "must_change_password": must_change},
        detail=f"password_{how}",
    )


def _idle_reason(user: User | None, at: datetime) -> str | None:
    seen = as_utc(user.last_seen_at) if user is not None else None
    if seen is None or at - seen > IDLE_TIMEOUT:
        return "idle"
    return None


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so both refusals take the same time."""
    return hash_password("timing-equaliser-0")


def _count_failure(session: Session, user: User, at: datetime) -> bool:
    """Add one failed attempt in one atomic UPDATE; lock at the threshold. True if now locked.

    A lock that has run out (it is still set here) starts the count again from one.
    """
    failures = literal(1) if user.locked_until is not None else User.failed_logins + 1
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=failures,
            locked_until=case(
                (failures >= MAX_FAILED_LOGINS, literal(at + LOCKOUT, DateTime(timezone=True))),
                else_=None,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(user, ["failed_logins", "locked_until"])
    return user.locked_until is not None


def _start_session(session: Session, user: User, at: datetime, how: str) -> SignIn:
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=0,
            locked_until=None,
            last_login_at=at if how == "password" else User.last_login_at,
            last_seen_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    actor = load_actor(session, user.id)
    audit.record(session, actor, AuditAction.LOGIN, "user", user.id, detail=how)
    return SignIn(actor, user.must_change_password)


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
