"""SQLite as a pilot school uses it: many writers at once, through write_session, on a file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.engine import make_engine, write_session
from db.migrate import upgrade
from db.models import Setting

THREADS = 20
WRITES_EACH = 50


def _file_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'pilot.db'}")
    upgrade(engine)
    return engine


def _hammer(work: Callable[[int, int], None]) -> list[BaseException]:
    """Run work(thread, i) THREADS × WRITES_EACH times, all threads released at once."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        start.wait()
        for i in range(WRITES_EACH):
            try:
                work(n, i)
            except BaseException as exc:  # every failure is reported
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_twenty_threads_write_a_thousand_rows_without_locking_errors(tmp_path: Path):
    engine = _file_engine(tmp_path)

    def insert(n: int, i: int) -> None:
        # Read first, then write: the pattern that fails at once without BEGIN IMMEDIATE.
        with write_session(engine) as session:
            seen = session.scalar(select(func.count()).select_from(Setting))
            session.add(Setting(school_id=None, key=f"t{n}-{i}", value={"seen": seen}))

    errors = _hammer(insert)
    assert [str(e) for e in errors] == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Setting)) == THREADS * WRITES_EACH
        keys = set(session.scalars(select(Setting.key)))
    assert len(keys) == THREADS * WRITES_EACH
    engine.dispose()


def test_read_modify_write_loses_no_update(tmp_path: Path):
    """1,000 increments of one counter by 20 threads end at exactly 1,000."""
    engine = _file_engine(tmp_path)
    with write_session(engine) as session:
        session.add(Setting(school_id=None, key="counter", value=0))

    def increment(_n: int, _i: int) -> None:
        with write_session(engine) as session:
            row = session.scalars(select(Setting).where(Setting.key == "counter")).one()
            row.value = row.value + 1

    errors = _hammer(increment)
    assert [str(e) for e in errors] == []
    with Session(engine) as session:
        assert session.scalars(select(Setting.value).where(Setting.key == "counter")).one() == (
            THREADS * WRITES_EACH
        )
    engine.dispose()
