"""The audit log's hash chain (issue 13 item 8): every entry stores the hash of the one before and
its own (sha256 over a canonical JSON of its fields and that previous hash); 操作日志完整性
(`verify_audit_chain`, administrators only) reports the first broken link — a row edited or
deleted with the triggers dropped, a row slipped in by hand — and two writers at once never fork
the chain. The backup command line writes an audit entry too."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from db.audit_chain import GENESIS, canonical_json, entry_hash
from db.engine import read_session, write_session
from db.enums import AuditAction, Role
from db.models import AuditEntry
from services import audit
from services.actor import Actor
from services.errors import NotAllowed
from services.ops import backup
from services.ops.audit_log import verify_audit_chain
from services.ops.backup_cli import main as backup_cli
from tests.conftest import engine_url
from tests.factories import actor_of, make_school, make_user


@pytest.fixture
def admin(engine: Engine) -> Actor:
    with write_session(engine) as session:
        school = make_school(session)
        return actor_of(session, make_user(session, school, Role.ADMIN, username="root"))


def _write_log(engine: Engine, actor: Actor, count: int = 5) -> list[int]:
    """`count` entries of different shapes, one transaction each; their ids."""
    for i in range(count):
        with write_session(engine) as session:
            audit.record(
                session,
                actor if i % 2 else None,
                [AuditAction.UPDATE, AuditAction.LOGIN_FAILED, AuditAction.EXPORT][i % 3],
                "child",
                i + 1,
                {"name": "小明", "score": 91.5, "tags": ["学习", "心理"], "born": "2018-03-01"},
                {"name": f"小明{i}", "score": 92.0, "tags": [], "born": None},
                ok=i % 4 != 1,
                detail=f'第{i}次 "引号" \\ 反斜杠' if i % 2 else None,
                username="anon" if i % 2 == 0 else None,
            )
    return _ids(engine)


def _ids(engine: Engine) -> list[int]:
    with read_session(engine) as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _check(engine_or_conn: Engine | Connection, actor: Actor):
    if isinstance(engine_or_conn, Connection):
        with Session(bind=engine_or_conn) as session:
            return verify_audit_chain(session, actor)
    with read_session(engine_or_conn) as session:
        return verify_audit_chain(session, actor)


@contextmanager
def tampering(engine: Engine) -> Iterator[Connection]:
    """Direct SQL with the append-only triggers dropped, as someone with the database file or
    the owner's password could do; rolled back at the end (the shared PostgreSQL test database
    keeps its triggers)."""
    with engine.connect() as conn:
        trans = conn.begin()
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            for name in ("no_update", "no_delete", "no_replace"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS audit_entries_{name}"))
        try:
            yield conn
        finally:
            trans.rollback()


# --- the chain as written ----------------------------------------------------------------------


def test_each_entry_stores_the_hash_of_the_one_before(engine, admin):
    _write_log(engine, admin, 4)
    with read_session(engine) as session:
        rows = session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert [b.prev_hash for b in rows[1:]] == [a.entry_hash for a in rows[:-1]]
    assert len({r.entry_hash for r in rows}) == 4
    for row in rows:  # recomputed from what the database gives back
        fields = row._asdict()
        expected = hashlib.sha256(canonical_json(fields, row.prev_hash).encode("utf-8"))
        assert row.entry_hash == expected.hexdigest()


def test_the_canonical_form_is_fixed():
    """The hashed text must never change, or every existing log would stop verifying."""
    fields = {
        "id": 7,
        "at": datetime(2026, 11, 28, 17, 0, 0, 123456, tzinfo=UTC),
        "user_id": 3,
        "username": "王老师",
        "role": "admin",
        "school_id": 1,
        "action": AuditAction.UPDATE,
        "entity": "child",
        "entity_id": 42,
        "before": {"name": "小明", "b": [1, 2.5, None]},
        "after": {"name": "小红", "b": []},
        "ok": True,
        "detail": None,
    }
    expected = (
        '{"action":"update","after":{"b":[],"name":"小红"},"at":"2026-11-28T17:00:00.123456Z",'
        '"before":{"b":[1,2.5,null],"name":"小明"},"detail":null,"entity":"child","entity_id":42,'
        '"id":7,"ok":true,"prev_hash":"' + GENESIS + '","role":"admin","school_id":1,'
        '"user_id":3,"username":"王老师"}'
    )
    assert canonical_json(fields, GENESIS) == expected
    assert entry_hash(fields, GENESIS) == hashlib.sha256(expected.encode()).hexdigest()
    # the same moment given in China Standard Time, or naive UTC as SQLite returns it
    naive = {**fields, "at": datetime(2026, 11, 28, 17, 0, 0, 123456)}
    assert entry_hash(naive, GENESIS) == entry_hash(fields, GENESIS)


def test_a_fresh_log_verifies(engine, admin):
    ids = _write_log(engine, admin, 6)
    report = _check(engine, admin)
    assert report.ok
    assert (report.checked, report.head_id, report.broken_id) == (6, ids[-1], None)
    with read_session(engine) as session:
        assert report.head_hash == session.scalar(
            select(AuditEntry.entry_hash).where(AuditEntry.id == ids[-1])
        )


def test_an_empty_log_verifies(engine, admin):
    report = _check(engine, admin)
    assert report.ok and report.checked == 0 and report.head_id is None


def test_snapshots_of_records_verify(engine, admin):
    """Dates, decimals and enums turned into JSON by `audit.snapshot` hash as read back."""
    with write_session(engine) as session:
        school = make_school(session, name="青山小学")
        before = audit.snapshot(school)
        school.name = "青山中心小学"
        session.flush()
        audit.record(session, admin, AuditAction.UPDATE, "school", school.id, before,
                     audit.snapshot(school))  # fmt: skip
        after = {"start": date(2026, 9, 1).isoformat(), "amount": "625.00", "n": 10**15}
        audit.record(session, admin, AuditAction.CREATE, "term", 1, None, after)
    assert _check(engine, admin).ok


def test_the_session_time_zone_does_not_matter(engine, admin):
    _write_log(engine, admin, 3)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no session time zone")
    with engine.connect() as conn:
        conn.execute(text("SET TIME ZONE 'Asia/Shanghai'"))
        assert _check(conn, admin).ok
        conn.rollback()


def test_a_rolled_back_entry_leaves_no_gap_in_the_chain(engine, admin):
    _write_log(engine, admin, 2)
    with pytest.raises(RuntimeError), write_session(engine) as session:
        audit.record(session, admin, AuditAction.EXPORT, "report", None)
        raise RuntimeError("the export failed")
    _write_log(engine, admin, 2)
    assert _check(engine, admin).ok


# --- tampering found ---------------------------------------------------------------------------


def test_an_edited_row_is_the_first_broken_link(engine, admin):
    ids = _write_log(engine, admin, 5)
    with tampering(engine) as conn:
        conn.execute(text("UPDATE audit_entries SET ok = NOT ok WHERE id = :id"), {"id": ids[2]})
        conn.execute(text("UPDATE audit_entries SET detail = 'x' WHERE id = :id"), {"id": ids[3]})
        report = _check(conn, admin)
    assert not report.ok
    assert (report.broken_id, report.reason, report.previous_id) == (ids[2], "altered", ids[1])
    assert report.checked == 2
    assert _check(engine, admin).ok  # rolled back


@pytest.mark.parametrize("column", ["at", "username", "before", "after", "entity_id", "action"])
def test_any_hashed_column_edited_is_found(engine, admin, column):
    ids = _write_log(engine, admin, 3)
    new = {"at": "at", "username": "'forged'", "before": "NULL", "after": "NULL",
           "entity_id": "entity_id + 1", "action": "'login'"}[column]  # fmt: skip
    if column == "at":  # one microsecond later
        new = (
            "at + interval '1 microsecond'"
            if engine.dialect.name == "postgresql"
            else "substr(at, 1, 20) || printf('%06d', (substr(at, 21) + 1) % 1000000)"
        )
    with tampering(engine) as conn:
        conn.execute(text(f"UPDATE audit_entries SET {column} = {new} WHERE id = :id"),
                     {"id": ids[1]})  # fmt: skip
        report = _check(conn, admin)
    assert (report.broken_id, report.reason) == (ids[1], "altered")


def test_a_deleted_row_breaks_the_link_of_the_next(engine, admin):
    ids = _write_log(engine, admin, 5)
    with tampering(engine) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[2]})
        report = _check(conn, admin)
    assert (report.broken_id, report.reason, report.previous_id) == (ids[3], "link", ids[1])


def test_the_first_row_deleted_is_found(engine, admin):
    ids = _write_log(engine, admin, 3)
    with tampering(engine) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[0]})
        report = _check(conn, admin)
    assert (report.broken_id, report.reason, report.previous_id) == (ids[1], "link", None)


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(engine, admin):
    """Recomputing the edited row's own hash is not enough: the next row still points at the
    old one."""
    ids = _write_log(engine, admin, 4)
    with tampering(engine) as conn:
        row = conn.execute(select(AuditEntry.__table__).where(AuditEntry.id == ids[1])).mappings()
        fields = dict(row.one())
        fields["username"] = "someone-else"
        conn.execute(
            text("UPDATE audit_entries SET username = :u, entry_hash = :h WHERE id = :id"),
            {"u": "someone-else", "h": entry_hash(fields, fields["prev_hash"]), "id": ids[1]},
        )
        report = _check(conn, admin)
    assert (report.broken_id, report.reason, report.previous_id) == (ids[2], "link", ids[1])


def test_a_row_slipped_in_by_hand_is_found(engine, admin):
    _write_log(engine, admin, 2)
    with tampering(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entries (at, username, action, ok) "
                "VALUES (:at, 'ghost', 'login', true)"
            ),
            {"at": datetime.now(UTC)},
        )
        new_id = conn.scalar(select(func.max(AuditEntry.id)))
        report = _check(conn, admin)
    assert (report.broken_id, report.reason) == (new_id, "unchained")


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER,
                                  Role.COUNSELLOR, Role.BUREAU])  # fmt: skip
def test_only_administrators_may_verify(engine, admin, role):
    with write_session(engine) as session:
        school = make_school(session, name="别校") if role != Role.BUREAU else None
        actor = actor_of(session, make_user(session, school, role))
    with pytest.raises(NotAllowed), read_session(engine) as session:
        verify_audit_chain(session, actor)


# --- two writers at once -----------------------------------------------------------------------


def test_two_writers_at_once_do_not_fork_the_chain(engine, admin):
    """Each transaction writes two entries with a pause between them: without the lock the
    second writer reads the same last hash as the first and the chain forks."""
    threads, per_thread, errors = 4, 6, []

    def writer(n: int) -> None:
        try:
            for i in range(per_thread):
                with write_session(engine) as session:
                    audit.record(session, admin, AuditAction.UPDATE, "child", n * 100 + i)
                    time.sleep(0.01)
                    audit.record(session, admin, AuditAction.UPDATE, "contact", n * 100 + i)
        except Exception as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with read_session(engine) as session:
        links = session.execute(select(AuditEntry.prev_hash, AuditEntry.entry_hash)).all()
    assert len(links) == threads * per_thread * 2
    assert len({prev for prev, _ in links}) == len(links)  # no two entries share a parent
    report = _check(engine, admin)
    assert report.ok, report


# --- the backup command line -------------------------------------------------------------------


def test_a_cli_backup_writes_an_audit_entry(engine, admin, tmp_path: Path, capsys):
    assert backup_cli(["--database-url", engine_url(engine), "--dir", str(tmp_path),
                       "backup"]) == 0  # fmt: skip
    [info] = backup.list_backups(tmp_path)
    with read_session(engine) as session:
        [entry] = session.execute(select(AuditEntry.__table__).where(AuditEntry.entity == "backup"))
    assert (entry.action, entry.username, entry.ok) == (AuditAction.EXPORT, "system", True)
    assert info.name in entry.detail and "command line" in entry.detail
    assert entry.school_id == admin.school_id  # one school: its administrators see it
    assert _check(engine, admin).ok
    assert info.name in capsys.readouterr().out


def test_a_cli_backup_of_a_county_database_is_logged_without_a_school(engine, admin, tmp_path):
    with write_session(engine) as session:
        make_school(session, name="第二小学")
    assert backup_cli(["--database-url", engine_url(engine), "--dir", str(tmp_path),
                       "backup"]) == 0  # fmt: skip
    with read_session(engine) as session:
        [entry] = session.execute(select(AuditEntry.__table__).where(AuditEntry.entity == "backup"))
    assert entry.school_id is None
