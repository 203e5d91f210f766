"""Nobody rewrites the audit log through SQL (issue 13 item 8): SQLite refuses REPLACE and
INSERT OR REPLACE of an existing entry (they delete it by conflict resolution, which the DELETE
trigger never sees); PostgreSQL refuses TRUNCATE and an upsert; and the app's own database role
(deploy/app-role.sql, docs/deploy.md) may only read and append to audit_entries."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from db.engine import make_engine, read_session, write_session
from db.enums import AuditAction
from db.migrate import upgrade
from db.models import AuditEntry, School
from services import audit
from tests.conftest import TEST_DATABASE_URL, autocommit, scratch_pg_engine

ROOT = Path(__file__).resolve().parents[2]
APP_ROLE_SQL = ROOT / "deploy" / "app-role.sql"
needs_postgresql = pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL not set")


def _write_entries(engine: Engine, count: int = 2) -> list[int]:
    with write_session(engine) as session:
        for i in range(count):
            audit.record(session, None, AuditAction.LOGIN, "user", i, username=f"u{i}")
    with read_session(engine) as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _details(engine: Engine) -> list[tuple[int, str | None, str | None]]:
    with read_session(engine) as session:
        rows = session.execute(
            select(AuditEntry.id, AuditEntry.username, AuditEntry.detail).order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tamper.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def pg_engine_fresh() -> Iterator[Engine]:
    """A PostgreSQL database of its own, at head, for this module (roles and grants are tried
    on it; every test compares the log before and after, so rows may accumulate)."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    with scratch_pg_engine("careledger_tamper") as engine:
        upgrade(engine)
        yield engine


# --- SQLite: REPLACE ---------------------------------------------------------------------------

SQLITE_REPLACES = {
    "replace": "REPLACE INTO audit_entries (id, at, username, action, ok, detail) "
    "VALUES (:id, '2026-01-01 00:00:00.000000', 'forger', 'login', 1, 'rewritten')",
    "insert or replace": "INSERT OR REPLACE INTO audit_entries (id, at, username, action, ok) "
    "VALUES (:id, '2026-01-01 00:00:00.000000', 'forger', 'login', 1)",
    "upsert": "INSERT INTO audit_entries (id, at, username, action, ok) "
    "VALUES (:id, '2026-01-01 00:00:00.000000', 'forger', 'login', 1) "
    "ON CONFLICT (id) DO UPDATE SET username = 'forger'",
    "insert or ignore": "INSERT OR IGNORE INTO audit_entries (id, at, username, action, ok) "
    "VALUES (:id, '2026-01-01 00:00:00.000000', 'forger', 'login', 1)",
}


@pytest.mark.parametrize("statement", SQLITE_REPLACES)
def test_sqlite_refuses_to_replace_an_audit_row(sqlite_engine, statement):
    first, _ = _write_entries(sqlite_engine)
    before = _details(sqlite_engine)
    with pytest.raises(DBAPIError, match="append-only"), sqlite_engine.begin() as conn:
        conn.execute(text(SQLITE_REPLACES[statement]), {"id": first})
    assert _details(sqlite_engine) == before


def test_sqlite_replace_is_refused_with_recursive_triggers_too(sqlite_engine):
    first, _ = _write_entries(sqlite_engine)
    before = _details(sqlite_engine)
    with pytest.raises(DBAPIError, match="append-only"), sqlite_engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA recursive_triggers = ON")
        conn.execute(text(SQLITE_REPLACES["replace"]), {"id": first})
    assert _details(sqlite_engine) == before


def test_sqlite_still_takes_new_rows(sqlite_engine):
    ids = _write_entries(sqlite_engine, 3)
    assert ids == [1, 2, 3]


# --- PostgreSQL: TRUNCATE, upsert --------------------------------------------------------------


@needs_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_entries",
        "TRUNCATE audit_entries RESTART IDENTITY CASCADE",
        "TRUNCATE schools, audit_entries CASCADE",
    ],
)
def test_postgresql_refuses_truncate(pg_engine_fresh, statement):
    _write_entries(pg_engine_fresh)
    before = _details(pg_engine_fresh)
    with pytest.raises(DBAPIError, match="append-only"), pg_engine_fresh.begin() as conn:
        conn.execute(text(statement))
    assert _details(pg_engine_fresh) == before


@needs_postgresql
def test_postgresql_refuses_an_upsert_over_an_audit_row(pg_engine_fresh):
    first = _write_entries(pg_engine_fresh)[0]
    before = _details(pg_engine_fresh)
    with pytest.raises(DBAPIError, match="append-only"), pg_engine_fresh.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entries (id, at, username, action, ok) "
                "VALUES (:id, now(), 'forger', 'login', true) "
                "ON CONFLICT (id) DO UPDATE SET username = 'forger'"
            ),
            {"id": first},
        )
    assert _details(pg_engine_fresh) == before


# --- PostgreSQL: the app's role is not the owner -----------------------------------------------


@pytest.fixture(scope="module")
def app_role_engine(pg_engine_fresh: Engine) -> Iterator[Engine]:
    """deploy/app-role.sql run with psql, as documented, and an engine signed in as that role."""
    role = f"careledger_app_{uuid.uuid4().hex[:8]}"
    url = pg_engine_fresh.url
    owner = url.username or "postgres"
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", url.host or "127.0.0.1",
            "-p", str(url.port or 5432), "-U", owner, "-d", url.database]  # fmt: skip
    variables = ["-v", f"app_role={role}", "-v", f"owner_role={owner}",
                 "-v", "app_password=not-used-with-trust"]  # fmt: skip
    subprocess.run([*psql, *variables, "-f", str(APP_ROLE_SQL)], check=True, capture_output=True)
    engine = make_engine(url.set(username=role, password=None).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        autocommit(pg_engine_fresh, f'DROP OWNED BY "{role}"', f'DROP ROLE "{role}"')


@needs_postgresql
def test_the_app_role_appends_and_reads_the_audit_log(app_role_engine):
    upgrade(app_role_engine)  # the app's start: nothing to do at head, and allowed
    _write_entries(app_role_engine, 2)
    with write_session(app_role_engine) as session:  # and writes the records it audits
        school = School(name="青山小学", county="青山县", code="R1")
        session.add(school)
        session.flush()
        school.name = "青山中心小学"
        session.flush()
        session.delete(school)
    assert [row[1] for row in _details(app_role_engine)][-2:] == ["u0", "u1"]


@needs_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET detail = 'x'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "ALTER TABLE audit_entries DISABLE TRIGGER USER",
        "DROP TRIGGER audit_entries_no_change ON audit_entries",
        "DROP TRIGGER audit_entries_no_truncate ON audit_entries",
        "DROP TABLE audit_entries",
        "ALTER TABLE audit_entries DROP COLUMN entry_hash",
        "UPDATE alembic_version SET version_num = 'x'",
    ],
)
def test_the_app_role_cannot_change_the_audit_log_or_its_guards(app_role_engine, statement):
    _write_entries(app_role_engine, 2)
    before = _details(app_role_engine)
    refused = pytest.raises(ProgrammingError, match=r"permission denied|must be owner")
    with refused, app_role_engine.begin() as conn:
        conn.execute(text(statement))
    assert _details(app_role_engine) == before
