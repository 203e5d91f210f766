"""The migrations build the schema the models describe, from empty, on each backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from db.base import Base
from db.migrate import alembic_config

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_from_empty_reaches_head_with_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        drift = compare_metadata(ctx, Base.metadata)
    assert drift == []
