"""county facts: contacts by channel and participation per school and day (issue 15 item 4)

- contact_facts: contacts logged per school, day and channel.
- participation_facts: per school, term window, activity type (or `*`), group and day, the
  children taking part for the first time in the window that day, and the attendances.
  Both are written by services/metrics/summary_facts.py, never by hand, refreshed with the
  compliance summary from the same `summary_stale` markers (0006_county_summary), whose triggers
  already cover contacts, children and terms. New here, on both backends: activities (insert,
  delete, an update of school, type, date or deletion) and participations (insert, delete, an
  update of activity, child, attended or deletion) mark the activity's month of the activity's
  school (old and new), in the same transaction as the change.
- Every school that exists is marked `*`: the first refresh fills its facts.

Revision ID: 0008_county_facts
Revises: 0007_growth
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_county_facts"
down_revision = "0007_growth"
branch_labels = depends_on = None

ACTIVITY_FIELDS = ("school_id", "activity_type", "activity_date", "deleted_at")
PARTICIPATION_FIELDS = ("activity_id", "child_id", "attended", "deleted_at", "school_id")
TRIGGERED = {"activities": ACTIVITY_FIELDS, "participations": PARTICIPATION_FIELDS}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _changed(fields: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{f} {distinct} NEW.{f}" for f in fields)


def _sqlite_mark(table: str, row: str) -> str:
    """Mark the month of the activity (itself, or the participation's) of `row`."""
    if table == "activities":
        return (
            "INSERT INTO summary_stale (school_id, month) VALUES "
            f"({row}.school_id, strftime('%Y-%m', {row}.activity_date)) "
            "ON CONFLICT (school_id, month) DO NOTHING;"
        )
    return (
        "INSERT INTO summary_stale (school_id, month) "
        "SELECT school_id, strftime('%Y-%m', activity_date) FROM activities "
        f"WHERE id = {row}.activity_id ON CONFLICT (school_id, month) DO NOTHING;"
    )


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, fields in TRIGGERED.items():
        new, old = _sqlite_mark(table, "NEW"), _sqlite_mark(table, "OLD")
        statements += [
            f"CREATE TRIGGER {table}_facts_insert AFTER INSERT ON {table} BEGIN {new} END",
            f"CREATE TRIGGER {table}_facts_delete AFTER DELETE ON {table} BEGIN {old} END",
            f"CREATE TRIGGER {table}_facts_update AFTER UPDATE ON {table} "
            f"WHEN {_changed(fields, 'IS NOT')} BEGIN {old} {new} END",
        ]
    return statements


def _pg_mark(table: str, row: str) -> str:
    if table == "activities":
        return f"PERFORM summary_mark({row}.school_id, to_char({row}.activity_date, 'YYYY-MM'));"
    return (
        "PERFORM summary_mark(a.school_id, to_char(a.activity_date, 'YYYY-MM')) "
        f"FROM activities a WHERE a.id = {row}.activity_id;"
    )


def _pg_triggers() -> list[str]:
    statements = []
    for table, fields in TRIGGERED.items():
        statements += [
            f"""CREATE FUNCTION {table}_facts_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {_pg_mark(table, "OLD")} END IF;
  IF TG_OP <> 'DELETE' THEN {_pg_mark(table, "NEW")} END IF;
  RETURN NULL;
END $$""",
            f"CREATE TRIGGER {table}_facts_write AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_facts_mark()",
            f"CREATE TRIGGER {table}_facts_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(fields, 'IS DISTINCT FROM')}) "
            f"EXECUTE FUNCTION {table}_facts_mark()",
        ]
    return statements


def upgrade() -> None:
    op.create_table(
        "contact_facts",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "day", "channel", name=op.f("pk_contact_facts")),
    )
    op.create_table(
        "participation_facts",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("term_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("activity_type", sa.String(length=32), nullable=False),
        sa.Column("left_behind", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("attendances", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "school_id",
            "term_id",
            "activity_type",
            "left_behind",
            "day",
            name=op.f("pk_participation_facts"),
        ),
    )
    for statement in _pg_triggers() if _postgresql() else _sqlite_triggers():
        op.execute(statement)
    op.execute(
        "INSERT INTO summary_stale (school_id, month) SELECT id, '*' FROM schools WHERE true "
        "ON CONFLICT (school_id, month) DO NOTHING"
    )


def downgrade() -> None:
    for table in TRIGGERED:
        if _postgresql():
            op.execute(f"DROP TRIGGER {table}_facts_write ON {table}")
            op.execute(f"DROP TRIGGER {table}_facts_update ON {table}")
            op.execute(f"DROP FUNCTION {table}_facts_mark()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_facts_{event}")
    op.drop_table("participation_facts")
    op.drop_table("contact_facts")
