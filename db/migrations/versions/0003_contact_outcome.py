"""contact outcome: a contact must say something (issue 12, DESIGN.md §6)

Adds contacts.outcome (已通话 / 已家访 / 已面谈 / 已通信 / 未接通, nullable) and contacts.substantive:
true when the contact has a summary or an outcome, and the outcome is not 未接通. Only substantive
contacts meet a rule. Existing rows with a summary count as met, existing rows without one do
not. The covering index for the compliance look-ups gains the column.

`substantive` is a plain column kept by triggers, not a generated column: SQLite never reads a
generated column from an index, so the compliance look-up would no longer be index-only (twice
as slow at school scale). The triggers fire only when the stored value is wrong (on SQLite an
AFTER trigger rewrites the row), so ordinary inserts, which say something, cost nothing extra.

Revision ID: 0003_contact_outcome
Revises: 0002_compliance
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_contact_outcome"
down_revision: str | None = "0002_compliance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATCH_COLUMNS = ["child_id", "contact_date", "counterpart", "channel", "deleted_at"]


def says_something(row: str) -> str:
    """SQL, both dialects: the contact `row` (NEW, or the table) said something."""
    prefix = f"{row}." if row else ""
    outcome, summary = f"{prefix}outcome", f"{prefix}summary"
    return (
        f"(({outcome} IS NULL OR {outcome} <> 'no_answer') "
        f"AND ({outcome} IS NOT NULL OR trim(coalesce({summary}, '')) <> ''))"
    )


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER contacts_substantive_insert AFTER INSERT ON contacts
    WHEN NEW.substantive IS NOT {says_something("NEW")}
    BEGIN UPDATE contacts SET substantive = {says_something("NEW")} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER contacts_substantive_update
    AFTER UPDATE OF summary, outcome, substantive ON contacts
    WHEN NEW.substantive IS NOT {says_something("NEW")}
    BEGIN UPDATE contacts SET substantive = {says_something("NEW")} WHERE id = NEW.id; END""",
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION contacts_substantive() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.substantive := {says_something("NEW")}; RETURN NEW; END $$""",
    f"""CREATE TRIGGER contacts_substantive BEFORE INSERT OR UPDATE ON contacts FOR EACH ROW
    WHEN (NEW.substantive IS DISTINCT FROM {says_something("NEW")})
    EXECUTE FUNCTION contacts_substantive()""",
]


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column("contacts", sa.Column("outcome", sa.String(length=32), nullable=True))
    op.add_column(
        "contacts",
        sa.Column("substantive", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.execute(f"UPDATE contacts SET substantive = {says_something('')}")
    for statement in POSTGRESQL_TRIGGERS if _postgresql() else SQLITE_TRIGGERS:
        op.execute(statement)
    op.drop_index("ix_contacts_child_date_match", table_name="contacts")
    op.create_index(
        "ix_contacts_child_date_match", "contacts", [*MATCH_COLUMNS, "substantive"], unique=False
    )


def downgrade() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER contacts_substantive ON contacts")
        op.execute("DROP FUNCTION contacts_substantive()")
    else:
        op.execute("DROP TRIGGER contacts_substantive_insert")
        op.execute("DROP TRIGGER contacts_substantive_update")
    op.drop_index("ix_contacts_child_date_match", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("substantive")
        batch.drop_column("outcome")
    op.create_index("ix_contacts_child_date_match", "contacts", MATCH_COLUMNS, unique=False)
