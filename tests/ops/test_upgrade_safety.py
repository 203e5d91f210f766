"""A database made at the first migration, full of data, upgrades to head with every row intact.

The rows are generated from the schema as it was at 0001 (reflected, not the current models), so
the test keeps working as migrations are added. A migration that means to transform data must
say so here, next to the expected change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from db import models  # noqa: F401  (every mapped class on Base.registry)
from db.base import Base
from db.engine import make_engine
from db.migrate import alembic_config, upgrade

FIRST = "0001"
ROWS = 3


def _value(table: Table, column: Column, i: int) -> Any:
    """A plausible, non-null value for row i (1-based) of a column as it was at 0001."""
    if column.foreign_keys:
        return i  # every table has rows 1..ROWS, so parent i exists
    if column.primary_key:
        return i
    model_table = Base.metadata.tables.get(table.name)
    model_type = (
        model_table.c[column.name].type
        if model_table is not None and column.name in model_table.c
        else None
    )
    if isinstance(model_type, Enum):
        return model_type.enums[i % len(model_type.enums)]
    kind = column.type
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, DateTime):
        return datetime(2026, 9, i, 8, 30, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, 9, i)
    if isinstance(kind, Float):
        return 4.5 + i / 10
    if isinstance(kind, Numeric):
        return Decimal(f"{i * 100}.50")
    if isinstance(kind, Integer):
        return 10 + i
    if isinstance(kind, JSON) or (model_type is not None and isinstance(model_type, JSON)):
        return [{"name": f"值{i}", "n": i}]
    if isinstance(kind, Text):
        return f"{table.name}.{column.name} 第{i}行：留守儿童关爱"
    if isinstance(kind, String):
        return f"{column.name[:6]}{i}值"[: kind.length or 64]
    raise AssertionError(f"no filler for {table.name}.{column.name} {kind!r}")


def _fill(engine: Engine) -> dict[str, list[dict]]:
    """ROWS rows in every table at 0001; returns what the database then holds."""
    meta = MetaData()
    meta.reflect(engine)
    tables = [t for t in meta.sorted_tables if t.name != "alembic_version"]
    with engine.begin() as conn:
        for table in tables:
            rows = [
                {c.name: _value(table, c, i) for c in table.columns} for i in range(1, ROWS + 1)
            ]
            conn.execute(table.insert(), rows)
        if engine.dialect.name == "postgresql":
            for table in tables:
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {ROWS})")
                )
    return _dump(engine, meta)


def _dump(engine: Engine, meta: MetaData) -> dict[str, list[dict]]:
    with engine.connect() as conn:
        return {
            table.name: [
                dict(row._mapping)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in meta.sorted_tables
            if table.name != "alembic_version"
        }


def test_first_migration_with_data_upgrades_to_head_intact(backend: str, new_database_url):
    url = new_database_url(backend, create=True)
    engine = make_engine(url)
    try:
        upgrade(engine, FIRST)
        before = _fill(engine)
        assert before, "no tables at the first migration"
        for name, rows in before.items():
            assert len(rows) == ROWS, name
            assert all(v is not None for row in rows for v in row.values()), name

        upgrade(engine, "head")
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head

        after_meta = MetaData()
        after_meta.reflect(engine)
        after = _dump(engine, after_meta)
        for name, rows in before.items():
            assert name in after, f"table {name} disappeared"
            assert len(after[name]) == ROWS, f"{name}: {len(after[name])} rows after upgrade"
            for old, new in zip(rows, after[name], strict=True):
                kept = {k: new[k] for k in old if k in new}
                assert kept == {k: old[k] for k in kept}, f"{name} row {old.get('id')} changed"
    finally:
        engine.dispose()


def test_the_app_still_reads_upgraded_rows(backend: str, new_database_url):
    """The ORM at head can load every row that was written at 0001."""
    url = new_database_url(backend, create=True)
    engine = make_engine(url)
    try:
        upgrade(engine, FIRST)
        tables_at_first = set(sa_inspect(engine).get_table_names())
        _fill(engine)
        upgrade(engine, "head")
        with Session(engine) as session:
            for mapper in Base.registry.mappers:
                if mapper.local_table.name not in tables_at_first:
                    continue  # a table added by a later migration holds no 0001 rows
                loaded = session.scalars(select(mapper.class_)).all()
                assert len(loaded) == ROWS, mapper.class_.__name__
    finally:
        engine.dispose()
