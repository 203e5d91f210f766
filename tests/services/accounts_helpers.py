"""Builders and helpers for the accounts, audit and scope tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditAction
from db.models import AuditEntry, User
from tests.factories import make_pairing

__all__ = ["T0", "audit_rows", "make_pairing", "reload_user"]

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def audit_rows(session: Session, action: AuditAction | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query))


def reload_user(session: Session, user_id: int) -> User:
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user
