"""Shared fixtures: a fresh, migrated database per test on SQLite, and on PostgreSQL too when
TEST_DATABASE_URL is set (each pytest process gets its own PostgreSQL database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from db.base import Base
from db.engine import make_engine, normalise_url
from db.migrate import upgrade

# The school's day (services/clock.py, Asia/Shanghai by default) and a test's `date.today()` (the
# machine's, UTC here) differ from 16:00 to 24:00 UTC: tests run in UTC so that a test comparing
# with its own "today" means the same day at any hour. Tests about the school's zone remove this
# (monkeypatch.delenv) and stop the clock (test_school_day.py, test_report_truthful.py). Set here,
# at import, so the servers the e2e and ops tests start inherit it.
os.environ.setdefault("CARELEDGER_TIMEZONE", "UTC")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def autocommit(engine: Engine, *statements: str) -> None:
    """Run statements that may not run in a transaction (CREATE/DROP DATABASE, DROP ROLE)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))


@contextmanager
def scratch_pg_engine(prefix: str) -> Iterator[Engine]:
    """An empty PostgreSQL database of its own, named `prefix_<random>`, dropped on the way out."""
    admin = make_engine(normalise_url(TEST_DATABASE_URL))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    autocommit(admin, f'CREATE DATABASE "{name}"')
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """A private PostgreSQL database for this test process, migrated to head once."""
    with scratch_pg_engine("careledger_test") as engine:
        upgrade(engine)
        yield engine


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # The database refuses TRUNCATE of audit_entries (a trigger); the test superuser lets
        # no trigger fire for this one transaction.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A fresh database at the newest migration, on each configured backend.

    SQLite is a file so that other threads and processes (AppTest, a server) can share it.
    """
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate_all(eng)
        yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A plain session on the test database; tests commit when they mean to."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        yield s
        s.rollback()


def engine_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the app (AppTest, or a server started by the test) at the test database."""
    monkeypatch.setenv("DATABASE_URL", engine_url(engine))
    return engine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests get one retry: a real browser against a real server on a busy 2-core CI
    machine now and then misses a rerun by a timeout. A test that fails twice still fails, and
    the retry is reported as RERUN in the summary, so flakiness stays visible."""
    for item in items:
        if "tests/e2e/" in item.nodeid or "test_replicas.py" in item.nodeid:
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
