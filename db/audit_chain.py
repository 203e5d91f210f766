"""The audit log's hash chain, as pure functions (used by services/audit.py, which writes and
verifies entries, and by the migration that chained the entries written before it).

Each entry stores `prev_hash` (the `entry_hash` of the entry before it in id order; GENESIS for
the first) and `entry_hash` = sha256 over `canonical_json(entry, prev_hash)`. Editing a row
changes its hash; deleting one breaks the link of the next. The canonical form must never
change: every existing log would stop verifying (tests/services/test_audit_chain.py pins it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# The columns an entry's hash covers (all of them but the two hash columns).
HASHED_FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "school_id",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "ok",
    "detail",
)
# pg_advisory_xact_lock key that serialises writers of the chain on PostgreSQL ("CLaudit1").
CHAIN_LOCK_KEY = 0x434C_6175_6469_7431


def canonical_time(moment: datetime) -> str:
    """UTC with microseconds; a naive value (SQLite gives these back) is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The text that is hashed: the entry's fields and `prev_hash`, keys sorted, no spaces,
    UTF-8 characters as they are."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["at"] = canonical_time(body["at"])
    body["action"] = getattr(body["action"], "value", body["action"])
    body["ok"] = None if body["ok"] is None else bool(body["ok"])
    body["prev_hash"] = prev_hash
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """sha256 (hex) of the entry's canonical JSON."""
    return hashlib.sha256(canonical_json(fields, prev_hash).encode("utf-8")).hexdigest()


def as_stored(value: Any) -> Any:
    """A JSON column's value as the database gives it back (tuples become lists, keys strings),
    so the hash written is the hash read."""
    return None if value is None else json.loads(json.dumps(value))
