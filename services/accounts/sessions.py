"""Server-side sessions (DESIGN.md §4 Session) and the cookie token that points at one.

A sign-in opens a `UserSession` record and hands out a random key; the sign-in cookie is a
JWT (HS256, signed with the cookie key) holding the username, that key and an expiry. The
database keeps only the key's SHA-256. A cookie therefore admits only while its session record
is open: logging out, changing or resetting the password, an account lockout or the
administrator close it for good, and 30 idle minutes end it (the idle clock is the session's,
not the user's).

No Streamlit here; components/auth.py reads and writes the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import String, cast, func, select, update
from sqlalchemy.orm import Session

from db.models import Classroom, TeachingAssignment, User, UserSession

IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is refreshed at most this often, so most page runs stay read-only.
SEEN_REFRESH = timedelta(minutes=1)
# The cookie itself lives a day; the session record decides long before that.
COOKIE_LIFETIME = timedelta(days=1)
TOKEN_ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class Ticket:
    """What a valid cookie says: whose session, and its key."""

    username: str
    key: str


@dataclass(frozen=True)
class OpenSession:
    """An open session, as the administrator sees it."""

    id: int
    client_address: str | None
    created_at: datetime
    last_seen_at: datetime


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored timestamp is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- records ---------------------------------------------------------------------------------


def open_session(
    session: Session, user_id: int, at: datetime, client_address: str | None
) -> tuple[int, str]:
    """A new session record for `user_id`; returns its id and the key for the cookie."""
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user_id,
        key_hash=key_hash(key),
        client_address=(client_address or None) and client_address[:64],
        last_seen_at=at,
        created_at=at,
        created_by=user_id,
        updated_at=at,
        updated_by=user_id,
    )
    session.add(row)
    session.flush()
    return row.id, key


def find_by_key(session: Session, key: str) -> UserSession | None:
    query = select(UserSession).where(UserSession.key_hash == key_hash(key))
    return session.scalar(query.execution_options(populate_existing=True))


def get(session: Session, session_id: int) -> UserSession | None:
    return session.get(UserSession, session_id, populate_existing=True)


@dataclass(frozen=True)
class LiveSession:
    """A session record with its user and the user's classes: what each page run re-checks."""

    row: UserSession
    user: User
    head_of: tuple[int, ...]
    taught: tuple[int, ...]


def _ids(joined: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in joined.split(",")) if joined else ()


def live(session: Session, session_id: int) -> LiveSession | None:
    """The session, its user and the classes the user heads and teaches, in one statement (by
    primary key, the classes by their indexed user columns): a page run's only query."""
    head_of = (
        select(func.aggregate_strings(cast(Classroom.id, String), ","))
        .where(Classroom.head_teacher_id == User.id, Classroom.deleted_at.is_(None))
        .scalar_subquery()
    )
    taught = (
        select(func.aggregate_strings(cast(TeachingAssignment.classroom_id, String), ","))
        .where(TeachingAssignment.user_id == User.id)
        .scalar_subquery()
    )
    query = (
        select(UserSession, User, head_of, taught)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == session_id)
        .execution_options(populate_existing=True)
    )
    found = session.execute(query).one_or_none()
    if found is None:
        return None
    row, user, heads, teaches = found
    return LiveSession(row, user, _ids(heads), _ids(teaches))


def seen_long_ago(row: UserSession, at: datetime) -> bool:
    """True when the session's last_seen_at is old enough to be worth a write."""
    return _stale(row.last_seen_at, at)


def _stale(seen: datetime | None, at: datetime) -> bool:
    seen = as_utc(seen)
    return seen is None or at - seen >= SEEN_REFRESH


def ended_reason(row: UserSession | None, at: datetime) -> str | None:
    """Why this session no longer admits ("revoked", "idle"), or None while it is open."""
    if row is None or row.revoked_at is not None:
        return "revoked"
    seen = as_utc(row.last_seen_at)
    if seen is None or at - seen > IDLE_TIMEOUT:
        return "idle"
    return None


def needs_touch(session: Session, session_id: int, at: datetime) -> bool:
    """True when last_seen_at is old enough to be worth a write."""
    seen = session.scalar(select(UserSession.last_seen_at).where(UserSession.id == session_id))
    return _stale(seen, at)


def touch(session: Session, session_id: int, at: datetime) -> None:
    """Record activity now (the session's idle clock restarts)."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(last_seen_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )


def revoke(session: Session, session_id: int, at: datetime, reason: str) -> None:
    """Close one session (a closed one keeps its first reason)."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason[:32], updated_at=at)
        .execution_options(synchronize_session=False)
    )


def revoke_all(
    session: Session, user_id: int, at: datetime, reason: str, keep: int | None = None
) -> int:
    """Close every open session of `user_id` except `keep`; returns how many were open."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason[:32], updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return session.execute(query).rowcount or 0


def open_sessions(session: Session, user_id: int, at: datetime) -> list[OpenSession]:
    """The user's sessions that still admit, newest first."""
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.id.desc())
    ).all()
    return [
        OpenSession(
            row.id,
            row.client_address,
            as_utc(row.created_at) or at,
            as_utc(row.last_seen_at) or at,
        )
        for row in rows
        if ended_reason(row, at) is None
    ]


# --- the cookie token ------------------------------------------------------------------------


def issue_token(username: str, key: str, cookie_key: str, at: datetime) -> str:
    """The signed cookie value for a session (username, session key, expiry)."""
    expires = int((at + COOKIE_LIFETIME).timestamp())
    claims = {"username": username, "sid": key, "exp": expires}
    return jwt.encode(claims, cookie_key, algorithm=TOKEN_ALGORITHM)


def read_token(token: object, cookie_key: str, at: datetime) -> Ticket | None:
    """The ticket in a cookie value, or None for anything that is not a valid, unexpired token
    signed with `cookie_key` by HS256 — `alg=none`, other algorithms, garbage, wrong types."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        claims = jwt.decode(
            token,
            cookie_key,
            algorithms=[TOKEN_ALGORITHM],
            # Expiry is checked below against `at`, the clock of this module's callers.
            options={"verify_exp": False, "require": ["exp", "username", "sid"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    username, key, expires = claims.get("username"), claims.get("sid"), claims.get("exp")
    if not isinstance(username, str) or not isinstance(key, str) or not username or not key:
        return None
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        return None
    if at.timestamp() >= expires:
        return None
    return Ticket(username, key)
