"""Fixtures for the operations tests: brand-new databases (not migrated) on either backend."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine, normalise_url
from tests.conftest import BACKENDS, TEST_DATABASE_URL


def _drop_pg_database(url: str) -> None:
    admin = make_engine(normalise_url(TEST_DATABASE_URL))
    name = make_engine(url).url.database
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def new_database_url(tmp_path: Path) -> Iterator[Callable[[str, bool], str]]:
    """`new_database_url(backend, create)` names a database that does not exist yet (or, with
    create=True, an empty one); PostgreSQL ones are dropped after the test."""
    made: list[str] = []

    def make(backend: str, create: bool = False) -> str:
        name = f"careledger_ops_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        if not TEST_DATABASE_URL:
            pytest.skip("TEST_DATABASE_URL is not set")
        admin = make_engine(normalise_url(TEST_DATABASE_URL))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        if create:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        made.append(url)
        return url

    yield make
    for url in made:
        _drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite", and "postgresql" when TEST_DATABASE_URL is set."""
    return request.param


# Playwright fixtures for the replica tests (the same ones the browser tests use).
from tests.e2e.conftest import browser, page  # noqa: E402, F401
