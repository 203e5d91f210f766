"""The one audit path: every write and sensitive read adds an AuditEntry in the same transaction.

Entries form a hash chain (db/audit_chain.py): each stores the hash of the entry before it and
its own. Writers of the chain are serialised so that two never chain onto the same entry: on
PostgreSQL by a transaction-level advisory lock taken before the last hash is read; on SQLite
by the database itself (the app's write transactions start with BEGIN IMMEDIATE, and a deferred
one that read a stale last hash fails to write instead of forking). `check_chain` walks the
chain and reports the first broken link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from db.audit_chain import CHAIN_LOCK_KEY, GENESIS, HASHED_FIELDS, as_stored, entry_hash
from db.base import utcnow
from db.enums import AuditAction
from db.models import AuditEntry
from services.actor import Actor

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
    entry = AuditEntry(
        at=utcnow(),
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else username,
        role=actor.role.value if actor else None,
        school_id=school_id if school_id is not None else (actor.school_id if actor else None),
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=as_stored(before),
        after=as_stored(after),
        ok=ok,
        detail=(detail or "")[:500] or None,
    )
    _chain(session, entry)
    session.add(entry)
    session.flush()


_LOCK = select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY))
_LAST = select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
_NEXT_ID = select(func.nextval(func.pg_get_serial_sequence(AuditEntry.__tablename__, "id")))


def _chain(session: Session, entry: AuditEntry) -> None:
    """Give `entry` its id, the last entry's hash and its own hash, before it is inserted (the
    row can never be updated afterwards)."""
    session.flush()  # anything pending, an entry added by hand too, is in the table first
    conn = session.connection()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:  # held until commit or rollback: one writer of the chain at a time
        conn.execute(_LOCK)
    last = conn.execute(_LAST).first()
    last_id = last.id if last else 0
    entry.id = max(conn.scalar(_NEXT_ID), last_id + 1) if postgresql else last_id + 1
    entry.prev_hash = (last.entry_hash or GENESIS) if last else GENESIS
    entry.entry_hash = entry_hash(_fields(entry), entry.prev_hash)


def _fields(entry: Any) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


# --- verifying the chain -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """The chain walked in id order. `broken_id` is the first entry whose link is broken:
    "altered" (its content no longer matches its hash: edited after it was written), "link" (it
    does not point at the entry before it, `previous_id`: entries between were deleted, or the
    one before was rewritten), "unchained" (no hash: not written by the app). `head_*` is the
    last entry that verified (note it down to notice later deletions at the end of the log)."""

    checked: int
    head_id: int | None = None
    head_hash: str | None = None
    broken_id: int | None = None
    reason: str | None = None
    previous_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def check_chain(session: Session, batch: int = 5_000) -> ChainCheck:
    """Walk the whole log in id order (in batches) and stop at the first broken link."""
    table = AuditEntry.__table__
    prev_hash, prev_id, checked = GENESIS, None, 0
    while True:
        query = select(table).order_by(table.c.id).limit(batch)
        if prev_id is not None:
            query = query.where(table.c.id > prev_id)
        rows = session.execute(query).mappings().all()
        for row in rows:
            reason = _broken(row, prev_hash)
            if reason is not None:
                head = prev_hash if prev_id is not None else None
                return ChainCheck(checked, prev_id, head, row["id"], reason, prev_id)
            prev_hash, prev_id, checked = row["entry_hash"], row["id"], checked + 1
        if len(rows) < batch:
            head = prev_hash if prev_id is not None else None
            return ChainCheck(checked, prev_id, head)


def _broken(row: Any, prev_hash: str) -> str | None:
    if row["entry_hash"] is None or row["prev_hash"] is None:
        return "unchained"
    if row["prev_hash"] != prev_hash:
        return "link"
    if entry_hash(row, row["prev_hash"]) != row["entry_hash"]:
        return "altered"
    return None
