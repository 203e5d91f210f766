"""The administrator's hold on sign-ins: a user's open sessions, ending them, lifting a lock.

An administrator acts on the users of their own school (the server command, on any user).
Each action is audited as an update of the user (`sessions_ended`, `unlocked`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from db.models import User
from services.accounts import lockout, sessions
from services.accounts.sessions import OpenSession
from services.accounts.signin import audit_user_change, now
from services.accounts.user_admin import is_system, refuse_own_account, require_admin
from services.actor import Actor
from services.errors import NotAllowed, NotFound


def open_sessions(
    session: Session, actor: Actor, user_id: int, at: datetime | None = None
) -> list[OpenSession]:
    """The user's sessions that still admit (client address, since, last seen), newest first."""
    user = _managed_user(session, actor, user_id)
    return sessions.open_sessions(session, user.id, at or now())


def end_user_sessions(
    session: Session, actor: Actor, user_id: int, at: datetime | None = None
) -> int:
    """End every open session of the user (they sign in again); returns how many there were.
    Not one's own (OwnAccountRefused): that would sign the administrator out."""
    user = _managed_user(session, actor, user_id)
    refuse_own_account(actor, user.id)
    ended = sessions.revoke_all(session, user.id, at or now(), "admin")
    audit_user_change(
        session, actor, user.id, {"open_sessions": ended}, {"open_sessions": 0}, "sessions_ended"
    )
    return ended


def unlock_user(session: Session, actor: Actor, user_id: int) -> None:
    """Lift the account lock (and every address lock) of the user."""
    user = _managed_user(session, actor, user_id)
    was_locked = lockout.account_locked_until(user, now()) is not None
    lockout.unlock(session, user.id)
    audit_user_change(
        session, actor, user.id, {"locked": was_locked}, {"locked": False}, "unlocked"
    )


def _managed_user(session: Session, actor: Actor, user_id: int) -> User:
    require_admin(actor)
    user = session.get(User, user_id, populate_existing=True)
    if user is None or user.deleted_at is not None:
        raise NotFound("user")
    if not is_system(actor) and user.school_id != actor.school_id:
        raise NotAllowed("user of another school")
    return user
