"""audit chain: the audit log cannot be rewritten (issue 13 item 8, DESIGN.md §4 AuditEntry)

- audit_entries.prev_hash / entry_hash: a hash chain (db/audit_chain.py). Existing entries are
  chained here, in id order, with the append-only guard lifted for the length of the migration.
- SQLite: `REPLACE INTO` / `INSERT OR REPLACE` of an existing id deleted the old row by conflict
  resolution, which fires no DELETE trigger (unless recursive_triggers is on); a BEFORE INSERT
  trigger now refuses any insert of an id that exists.
- PostgreSQL: `TRUNCATE audit_entries` emptied the log; a statement-level BEFORE TRUNCATE
  trigger now refuses it. (The app's own role should not own the table either: docs/deploy.md.)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.audit_chain import GENESIS, HASHED_FIELDS, entry_hash

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
APPEND_ONLY = "SELECT RAISE(ABORT, 'audit_entries is append-only')"
SQLITE_NO_UPDATE = (
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    f"BEGIN {APPEND_ONLY}; END"
)
SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_entries_no_replace BEFORE INSERT ON audit_entries "
    "WHEN EXISTS (SELECT 1 FROM audit_entries WHERE id = NEW.id) "
    f"BEGIN {APPEND_ONLY}; END"
)
# The function from 0001 raises 'audit_entries is append-only'.
PG_NO_TRUNCATE = (
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
)

# The columns as typed values (dates parsed, JSON decoded), whatever the backend stores.
entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer()),
    sa.column("username", sa.String()),
    sa.column("role", sa.String()),
    sa.column("school_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("ok", sa.Boolean()),
    sa.column("detail", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_entries", sa.Column("entry_hash", sa.String(length=64), nullable=True))
    if _postgresql():
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
        _chain_existing_entries()
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change")
        op.execute(PG_NO_TRUNCATE)
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        _chain_existing_entries()
        op.execute(SQLITE_NO_UPDATE)
        op.execute(SQLITE_NO_REPLACE)


def _chain_existing_entries() -> None:
    """Every entry so far, in id order, gets the previous entry's hash and its own."""
    conn = op.get_bind()
    update = (
        entries.update()
        .where(entries.c.id == sa.bindparam("entry_id"))
        .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("own"))
    )
    prev_hash, last_id = GENESIS, 0
    while True:
        query = (
            sa.select(*(entries.c[name] for name in HASHED_FIELDS))
            .where(entries.c.id > last_id)
            .order_by(entries.c.id)
            .limit(BATCH)
        )
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        links = []
        for row in rows:
            own = entry_hash(row, prev_hash)
            links.append({"entry_id": row["id"], "prev": prev_hash, "own": own})
            prev_hash = own
        conn.execute(update, links)
        last_id = rows[-1]["id"]


def downgrade() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.drop_column("audit_entries", "entry_hash")
        op.drop_column("audit_entries", "prev_hash")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_replace")
        # Not batch mode: rebuilding the table would drop its append-only triggers.
        op.execute("ALTER TABLE audit_entries DROP COLUMN entry_hash")
        op.execute("ALTER TABLE audit_entries DROP COLUMN prev_hash")
