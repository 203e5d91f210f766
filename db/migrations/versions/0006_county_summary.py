"""county summary: compliance per school and rule-period, kept current (issue 15 item 4)

- compliance_summary: per school, rule and rule-period, the due and met counts of the compliance
  engine (written by services/metrics/summary.py, never by hand).
- summary_stale: the school-months whose sources changed since they were summarised. Triggers
  add a row in the same transaction as the change, on both backends, so no write path (a page,
  an import, the seed, a restore, plain SQL) can forget it:
  contacts (insert, delete, and an update of the fields compliance reads) mark the month of the
  old and the new date; children (insert, delete, and an update of enrolment, leaving,
  left-behind type, key child, deletion or school), contact_rules and terms mark the whole
  school (`*`).
  On PostgreSQL a marker that exists is locked, not rewritten (`DO UPDATE … WHERE false`): a
  writer then waits for a refresh that holds it, and re-inserts it once the refresh has deleted
  it, so a refresh never drops a change it did not see.
- Every school that exists is marked `*`: the first refresh summarises it.

Revision ID: 0006_county_summary
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0006_county_summary"
down_revision = "0005"
branch_labels = depends_on = None

CONTACT_FIELDS = (
    "school_id", "child_id", "contact_date", "counterpart", "channel", "substantive", "deleted_at",
)  # fmt: skip
CHILD_FIELDS = (
    "school_id", "enrolment_status", "enrolled_on", "left_on", "left_behind_type", "is_key",
    "created_at", "deleted_at",
)  # fmt: skip
WHOLE_SCHOOL_TABLES = ("contact_rules", "terms")
STAR = "'*'"  # the marker's month for every period of the school


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _changed(fields: Sequence[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{f} {distinct} NEW.{f}" for f in fields)


def _sqlite_triggers() -> list[str]:
    def mark(row: str, month: str) -> str:
        return (
            f"INSERT INTO summary_stale (school_id, month) VALUES ({row}.school_id, {month}) "
            "ON CONFLICT (school_id, month) DO NOTHING;"
        )

    def contact(row: str) -> str:
        return mark(row, f"strftime('%Y-%m', {row}.contact_date)")

    statements = [
        f"CREATE TRIGGER contacts_summary_insert AFTER INSERT ON contacts "
        f"BEGIN {contact('NEW')} END",
        f"CREATE TRIGGER contacts_summary_delete AFTER DELETE ON contacts "
        f"BEGIN {contact('OLD')} END",
        f"CREATE TRIGGER contacts_summary_update AFTER UPDATE ON contacts "
        f"WHEN {_changed(CONTACT_FIELDS, 'IS NOT')} BEGIN {contact('OLD')} {contact('NEW')} END",
        f"CREATE TRIGGER children_summary_insert AFTER INSERT ON children "
        f"BEGIN {mark('NEW', STAR)} END",
        f"CREATE TRIGGER children_summary_delete AFTER DELETE ON children "
        f"BEGIN {mark('OLD', STAR)} END",
        f"CREATE TRIGGER children_summary_update AFTER UPDATE ON children "
        f"WHEN {_changed(CHILD_FIELDS, 'IS NOT')} "
        f"BEGIN {mark('OLD', STAR)} {mark('NEW', STAR)} END",
    ]
    for table in WHOLE_SCHOOL_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_summary_insert AFTER INSERT ON {table} "
            f"BEGIN {mark('NEW', STAR)} END",
            f"CREATE TRIGGER {table}_summary_delete AFTER DELETE ON {table} "
            f"BEGIN {mark('OLD', STAR)} END",
            f"CREATE TRIGGER {table}_summary_update AFTER UPDATE ON {table} "
            f"BEGIN {mark('OLD', STAR)} {mark('NEW', STAR)} END",
        ]
    return statements


SQLITE_TRIGGER_NAMES = [
    f"{table}_summary_{op_}"
    for table in ("contacts", "children", *WHOLE_SCHOOL_TABLES)
    for op_ in ("insert", "delete", "update")
]

PG_MARK = """CREATE FUNCTION summary_mark(school integer, month text) RETURNS void
LANGUAGE sql AS $$
INSERT INTO summary_stale (school_id, month) VALUES (school, month)
ON CONFLICT (school_id, month) DO UPDATE SET month = EXCLUDED.month WHERE false
$$"""


def _pg_function(name: str, mark_old: str, mark_new: str) -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM summary_mark(OLD.school_id, {mark_old}); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM summary_mark(NEW.school_id, {mark_new}); END IF;
  RETURN NULL;
END $$"""


def _pg_triggers() -> list[str]:
    month = "to_char({}.contact_date, 'YYYY-MM')"
    statements = [
        PG_MARK,
        _pg_function("contacts_summary_mark", month.format("OLD"), month.format("NEW")),
        _pg_function("school_summary_mark", STAR, STAR),
        "CREATE TRIGGER contacts_summary_write AFTER INSERT OR DELETE ON contacts "
        "FOR EACH ROW EXECUTE FUNCTION contacts_summary_mark()",
        "CREATE TRIGGER contacts_summary_update AFTER UPDATE ON contacts FOR EACH ROW "
        f"WHEN ({_changed(CONTACT_FIELDS, 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION contacts_summary_mark()",
        "CREATE TRIGGER children_summary_write AFTER INSERT OR DELETE ON children "
        "FOR EACH ROW EXECUTE FUNCTION school_summary_mark()",
        "CREATE TRIGGER children_summary_update AFTER UPDATE ON children FOR EACH ROW "
        f"WHEN ({_changed(CHILD_FIELDS, 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION school_summary_mark()",
    ]
    statements += [
        f"CREATE TRIGGER {table}_summary_write AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION school_summary_mark()"
        for table in WHOLE_SCHOOL_TABLES
    ]
    return statements


PG_TRIGGERS = {
    "contacts_summary_write": "contacts",
    "contacts_summary_update": "contacts",
    "children_summary_write": "children",
    "children_summary_update": "children",
    **{f"{table}_summary_write": table for table in WHOLE_SCHOOL_TABLES},
}


def upgrade() -> None:
    op.create_table(
        "compliance_summary",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rule_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("term_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "school_id", "rule_id", "term_id", "period_start", name=op.f("pk_compliance_summary")
        ),
    )
    op.create_index(
        "ix_compliance_summary_school_end", "compliance_summary", ["school_id", "period_end"]
    )
    op.create_table(
        "summary_stale",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "month", name=op.f("pk_summary_stale")),
    )
    for statement in _pg_triggers() if _postgresql() else _sqlite_triggers():
        op.execute(statement)
    op.execute("INSERT INTO summary_stale (school_id, month) SELECT id, '*' FROM schools")


def downgrade() -> None:
    if _postgresql():
        for name, table in PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for function in ("contacts_summary_mark", "school_summary_mark"):
            op.execute(f"DROP FUNCTION {function}()")
        op.execute("DROP FUNCTION summary_mark(integer, text)")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("summary_stale")
    op.drop_index("ix_compliance_summary_school_end", table_name="compliance_summary")
    op.drop_table("compliance_summary")
