"""Lockout per account and client address (DESIGN.md §9), kept in the database so it holds for
every replica.

- 5 wrong passwords in a row from one address lock that address, for that account only, for
  15 minutes (`login_throttles`). Somebody who merely knows a username can lock it only for
  themselves: its owner signs in from their own address, and their open sessions live on.
- 20 wrong passwords for the account within 15 minutes, from any addresses, lock the account
  itself for 15 minutes (`users.locked_until`, counted in `users.failed_logins` since
  `users.failures_since`); the administrator sees the lock on the users page and can lift it.
  A successful sign-in does not reset this count.

Every write here is a plain UPDATE/INSERT, so it never bumps the user's optimistic-lock
`version` and cannot clash with an administrator's edit. The rows are read FOR UPDATE
(PostgreSQL; SQLite write transactions already hold the database's write lock), so two
simultaneous failures are both counted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import LoginThrottle, User
from services.accounts.sessions import as_utc

ADDRESS_MAX_FAILURES = 5
ACCOUNT_MAX_FAILURES = 20
LOCKOUT = timedelta(minutes=15)
# The account-wide count covers this long.
ACCOUNT_WINDOW = timedelta(minutes=15)


class Failure(StrEnum):
    """What a wrong password led to (the audit row's detail)."""

    COUNTED = "wrong_password"
    ADDRESS_LOCKED = "locked_now"
    ACCOUNT_LOCKED = "account_locked_now"


def account_locked_until(user: User, at: datetime) -> datetime | None:
    until = as_utc(user.locked_until)
    return until if until is not None and until > at else None


def address_locked_until(
    session: Session, user_id: int, address: str, at: datetime
) -> datetime | None:
    """When the lock of `address` for this account ends, or None if it is not locked."""
    until = as_utc(
        session.scalar(
            select(LoginThrottle.locked_until).where(
                LoginThrottle.user_id == user_id, LoginThrottle.client_address == address
            )
        )
    )
    return until if until is not None and until > at else None


def record_failure(session: Session, user_id: int, address: str, at: datetime) -> Failure:
    """Count one wrong password for the account and for the address; lock at the limits."""
    account_locked = _count_for_account(session, user_id, at)
    address_locked = _count_for_address(session, user_id, address, at)
    if account_locked:
        return Failure.ACCOUNT_LOCKED
    return Failure.ADDRESS_LOCKED if address_locked else Failure.COUNTED


def clear_address(session: Session, user_id: int, address: str) -> None:
    """A right password from `address`: its count of failures in a row starts again."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.user_id == user_id, LoginThrottle.client_address == address
        )
    )


def unlock(session: Session, user_id: int) -> None:
    """Lift the account lock and every address lock of the account (the administrator)."""
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=0, failures_since=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user_id))


def _count_for_account(session: Session, user_id: int, at: datetime) -> bool:
    """Count in the account's 15-minute window; True when this failure locks the account."""
    row = session.execute(
        select(User.failed_logins, User.failures_since, User.locked_until)
        .where(User.id == user_id)
        .with_for_update()
    ).one()
    since, locked = as_utc(row.failures_since), as_utc(row.locked_until)
    stale = since is None or at - since >= ACCOUNT_WINDOW or (locked is not None and locked <= at)
    count, since = (1, at) if stale else ((row.failed_logins or 0) + 1, since)
    locks_now = count >= ACCOUNT_MAX_FAILURES and (locked is None or locked <= at)
    if locks_now:
        locked = at + LOCKOUT
    elif locked is not None and locked <= at:
        locked = None
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=count, failures_since=since, locked_until=locked)
        .execution_options(synchronize_session=False)
    )
    return locks_now


def _count_for_address(session: Session, user_id: int, address: str, at: datetime) -> bool:
    """Count failures in a row from `address`; True when this one locks it.

    A lock that has run out (still set here) starts the count again from one."""
    _insert_missing(session, user_id, address, at)
    throttle = session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.user_id == user_id, LoginThrottle.client_address == address)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    failures = 1 if throttle.locked_until is not None else throttle.failures + 1
    locks_now = failures >= ADDRESS_MAX_FAILURES
    throttle.failures = failures
    throttle.locked_until = at + LOCKOUT if locks_now else None
    throttle.last_failure_at = at
    throttle.updated_at = at
    session.flush()
    return locks_now


def _insert_missing(session: Session, user_id: int, address: str, at: datetime) -> None:
    """The (account, address) row, created if missing — race-free on both databases."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {
        "user_id": user_id,
        "client_address": address,
        "failures": 0,
        "created_at": at,
        "updated_at": at,
    }
    session.execute(
        dialect.insert(LoginThrottle)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "client_address"])
    )
