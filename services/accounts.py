"""Sign-in against the User table. (Lockout, password changes and user admin: accounts issue.)"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import AuditAction
from db.models import User
from services import audit
from services.actor import Actor, load_actor
from services.passwords import verify_password


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The Actor when the credentials are right and the user active, else None (audited)."""
    user = session.scalar(
        select(User).where(User.username == username.strip(), User.deleted_at.is_(None))
    )
    if user is None or not user.active or not verify_password(password, user.password_hash):
        audit.record(
            session,
            None,
            AuditAction.LOGIN_FAILED,
            "user",
            user.id if user else None,
            ok=False,
            username=username[:64],
            school_id=user.school_id if user else None,
        )
        return None
    user.last_login_at = utcnow()
    actor = load_actor(session, user.id)
    audit.record(session, actor, AuditAction.LOGIN, "user", user.id)
    return actor
