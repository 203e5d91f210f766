"""Engine and session factory. SQLite gets WAL, foreign keys, a busy timeout and
`BEGIN IMMEDIATE` for write transactions; PostgreSQL is used as is."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.private_files import private_dir, tighten_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "careledger.db"
SQLITE_BUSY_TIMEOUT_MS = 15_000


def database_url() -> str:
    """`DATABASE_URL` from the environment, else the pilot's SQLite file under data/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    private_dir(DEFAULT_SQLITE_PATH.parent)  # 700: children's data (db/private_files.py)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy emit BEGIN itself so we can choose DEFERRED or IMMEDIATE.
        dbapi_conn.isolation_level = None
        tighten_sqlite(engine.url.database)  # 600, and so its -wal and -shm files
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Writers take the write lock up front: a deferred read-then-write transaction
        # fails at once with "database is locked" when another writer got in between.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for `url` with the per-dialect settings above."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 15}}
        if ":memory:" in url or url == "sqlite://":
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process."""
    return make_engine(url or database_url())


@lru_cache(maxsize=8)
def _factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    read = sessionmaker(bind=engine, expire_on_commit=False)
    write = sessionmaker(
        bind=engine.execution_options(sqlite_immediate=True), expire_on_commit=False
    )
    return read, write


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for one page render; rolled back at the end (reads only)."""
    factory = _factories(engine or get_engine())[0]
    with factory() as session:
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error."""
    with _factories(engine or get_engine())[1].begin() as session:
        yield session
