"""compliance: covering index on contacts for the compliance EXISTS look-ups

Replaces ix_contacts_child_date (child_id, contact_date) by a covering index that also holds
counterpart, channel and deleted_at, so checking whether a matching contact exists in a period
reads the index only (DESIGN.md §9: compliance within 2x of a raw aggregate).

Revision ID: 0002_compliance
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_compliance"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_contacts_child_date", table_name="contacts")
    op.create_index(
        "ix_contacts_child_date_match",
        "contacts",
        ["child_id", "contact_date", "counterpart", "channel", "deleted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_child_date_match", table_name="contacts")
    op.create_index(
        "ix_contacts_child_date", "contacts", ["child_id", "contact_date"], unique=False
    )
