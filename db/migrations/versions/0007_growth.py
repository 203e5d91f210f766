"""growth record: term results and teachers' observations per child (issue 17)

- term_results: one subject's result of a child in a term (a score or a grade 优/良/中/差), the
  class it was ranked in, and the child's percentile in that class, subject and term (kept by
  services/growth/results.py). One row per child, term and subject (a deleted row is revived).
- growth_observations: a teacher's rating of a child once per term on four 1–5 scales (学习,
  情绪, 行为习惯, 生活自理) and a sentence. One row per child and term.

Revision ID: 0007_growth
Revises: 0006_county_summary
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_growth"
down_revision: str | None = "0006_county_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRADES = ("excellent", "good", "fair", "poor")
SCALES = ("study", "emotion", "habits", "self_care")


def _owned(table: str, *references: str) -> list[sa.Column | sa.Constraint]:
    """The columns and keys every school-owned editable row has (db/base.py), plus a foreign
    key per `column→table` reference."""
    keys = [("school_id", "schools"), ("child_id", "children"), ("term_id", "terms")]
    keys += [tuple(r.split("→")) for r in references]  # type: ignore[misc]
    return [
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
            )
            for column, target in keys
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _indexes(table: str) -> None:
    for column in ("school_id", "child_id", "term_id"):
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "term_results",
        sa.Column("classroom_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "grade",
            sa.Enum(*GRADES, name="lettergrade", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("percentile", sa.Float(), nullable=True),
        *_owned("term_results", "classroom_id→classrooms"),
        sa.UniqueConstraint(
            "child_id", "term_id", "subject", name=op.f("uq_term_results_child_id_term_id_subject")
        ),
    )
    _indexes("term_results")
    op.create_index(
        "ix_term_results_group", "term_results", ["school_id", "term_id", "classroom_id", "subject"]
    )
    op.create_table(
        "growth_observations",
        sa.Column("observer_id", sa.Integer(), nullable=True),
        *(sa.Column(scale, sa.SmallInteger(), nullable=False) for scale in SCALES),
        sa.Column("note", sa.String(length=200), nullable=True),
        *_owned("growth_observations", "observer_id→users"),
        sa.UniqueConstraint(
            "child_id", "term_id", name=op.f("uq_growth_observations_child_id_term_id")
        ),
    )
    _indexes("growth_observations")


def downgrade() -> None:
    op.drop_table("growth_observations")
    op.drop_table("term_results")
