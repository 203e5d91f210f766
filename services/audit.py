"""The one audit path: every write and sensitive read adds an AuditEntry in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from db.enums import AuditAction
from db.models import AuditEntry
from services.accounts.actor import Actor

_SKIP = {"created_at", "updated_at", "created_by", "updated_by", "version"}


def jsonable(value: Any) -> Any:
    """Turn a column value into something JSON can store."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: object) -> dict[str, Any]:
    """The audited columns of an ORM object as a JSON-able dict."""
    mapper = inspect(obj).mapper
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in _SKIP
    }


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (before, after)."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def record(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    entity: str | None = None,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    ok: bool = True,
    detail: str | None = None,
    school_id: int | None = None,
    username: str | None = None,
) -> None:
    """Add one audit row to the current transaction (committed or rolled back with it)."""
    if before is not None and after is not None:
        before, after = diff(before, after)
    session.add(
        AuditEntry(
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else username,
            role=actor.role.value if actor else None,
            school_id=school_id if school_id is not None else (actor.school_id if actor else None),
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            ok=ok,
            detail=(detail or "")[:500] or None,
        )
    )
    session.flush()
