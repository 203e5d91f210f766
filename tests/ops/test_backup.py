"""Backups taken while the app writes, restored into a new database and checked."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from db.engine import make_engine, write_session
from db.enums import AuditAction, Role
from db.models import AuditEntry, Child
from services.errors import NotAllowed
from services.ops import backup, restore
from tests.factories import make_school, make_user
from tests.ops.helpers import ChildWriter, count_children, small_school


def _backend(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def test_backup_under_concurrent_writes_restores_with_matching_counts(
    engine: Engine, tmp_path: Path, new_database_url
):
    small_school(engine, children=30)
    writer = ChildWriter(engine)
    writer.start()
    time.sleep(0.3)
    before = count_children(engine)
    info = backup.take_backup(engine, tmp_path)
    time.sleep(0.3)
    writer.finish()
    after = count_children(engine)

    assert writer.errors == []
    # The writes really overlapped the backup, and the backup is one snapshot in between.
    assert before < after
    assert before <= info.row_counts["children"] <= after
    assert info.schema_revision is not None
    assert info.row_counts["users"] == 3

    target = new_database_url(_backend(engine))
    report = restore.restore_backup(info, target)
    assert report.integrity == "ok"
    assert report.mismatches == {}
    assert report.ok
    restored = make_engine(target)
    try:
        assert count_children(restored) == info.row_counts["children"]
        # The restored children are exactly the source's first ones, byte for byte.
        with Session(restored) as r, Session(engine) as s:
            got = r.execute(select(Child.id, Child.name).order_by(Child.id)).all()
            want = s.execute(select(Child.id, Child.name).order_by(Child.id)).all()
        assert got == want[: len(got)]
    finally:
        restored.dispose()


def test_restore_refuses_an_existing_database(engine: Engine, tmp_path: Path, new_database_url):
    small_school(engine, children=2)
    info = backup.take_backup(engine, tmp_path)
    target = new_database_url(_backend(engine), create=True)
    if _backend(engine) == "sqlite":
        Path(make_engine(target).url.database).write_bytes(b"")
    with pytest.raises(restore.RestoreRefused):
        restore.restore_backup(info, target)


def test_restore_refuses_a_tampered_file(engine: Engine, tmp_path: Path, new_database_url):
    small_school(engine, children=2)
    info = backup.take_backup(engine, tmp_path)
    with info.path.open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(restore.RestoreRefused, match="checksum"):
        restore.restore_backup(info, new_database_url(_backend(engine)))


def test_restore_reports_counts_that_differ_from_the_manifest(
    engine: Engine, tmp_path: Path, new_database_url
):
    small_school(engine, children=3)
    info = backup.take_backup(engine, tmp_path)
    lying = backup.BackupInfo(**{**info.__dict__, "row_counts": {**info.row_counts, "children": 4}})
    report = restore.restore_backup(lying, new_database_url(_backend(engine)))
    assert report.mismatches == {"children": (4, 3)}
    assert not report.ok


def test_manifest_sits_next_to_the_backup(engine: Engine, tmp_path: Path):
    small_school(engine, children=5)
    info = backup.take_backup(engine, tmp_path)
    manifest = json.loads((tmp_path / f"{info.name}.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["children"] == 5
    assert manifest["backend"] == _backend(engine)
    assert "password" not in manifest["source"]
    assert [b.name for b in backup.list_backups(tmp_path)] == [info.name]


def _fake_backup(directory: Path, created: datetime) -> str:
    name = f"careledger-{created.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    (directory / name).write_bytes(b"data")
    manifest = {
        "created_at": created.isoformat(),
        "backend": "sqlite",
        "size_bytes": 4,
        "sha256": "-",
        "schema_revision": "0001",
        "row_counts": {},
    }
    (directory / f"{name}.json").write_text(json.dumps(manifest), encoding="utf-8")
    return name


def test_retention_keeps_the_last_30_days_of_backups(tmp_path: Path):
    start = datetime(2026, 10, 1, 18, 0, tzinfo=UTC)
    names = [_fake_backup(tmp_path, start + timedelta(days=d)) for d in range(35)]
    same_day = _fake_backup(tmp_path, start + timedelta(days=34, hours=3))
    removed = backup.apply_retention(tmp_path, keep_days=30)
    assert sorted(removed) == sorted(names[:5])
    kept = {b.name for b in backup.list_backups(tmp_path)}
    assert kept == set(names[5:]) | {same_day}
    assert not (tmp_path / f"{names[0]}.json").exists()


def test_take_backup_applies_retention(engine: Engine, tmp_path: Path):
    old = _fake_backup(tmp_path, datetime(2020, 1, 1, tzinfo=UTC))
    for day in range(30):
        _fake_backup(tmp_path, datetime(2026, 10, 1, tzinfo=UTC) + timedelta(days=day))
    backup.take_backup(engine, tmp_path)
    names = {b.name for b in backup.list_backups(tmp_path)}
    assert old not in names
    assert len(names) == 30


def test_only_an_admin_takes_a_backup_and_it_is_audited(engine: Engine, tmp_path: Path):
    actors = small_school(engine, children=1)
    with write_session(engine) as session, pytest.raises(NotAllowed):
        backup.create_backup(session, actors["teacher"], engine, tmp_path)
    assert backup.list_backups(tmp_path) == []
    with write_session(engine) as session:
        info = backup.create_backup(session, actors["admin"], engine, tmp_path)
    with Session(engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "backup")).one()
    assert entry.action == AuditAction.EXPORT
    assert entry.username == "admin"
    assert info.name in (entry.detail or "")


def test_download_only_when_the_database_holds_only_the_admins_school(
    engine: Engine, tmp_path: Path
):
    actors = small_school(engine, children=1)
    admin = actors["admin"]
    with write_session(engine) as session:
        info = backup.create_backup(session, admin, engine, tmp_path)
    with write_session(engine) as session:
        data = backup.read_backup_for_download(session, admin, tmp_path, info.name)
    assert data == info.path.read_bytes()
    with Session(engine) as session:
        downloads = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.detail.like("backup downloaded%"))
        )
    assert downloads == 1

    with Session(engine) as session:
        other = make_school(session, name="邻校")
        make_user(session, other, Role.ADMIN, username="other_admin")
        session.commit()
    with write_session(engine) as session, pytest.raises(NotAllowed):
        backup.read_backup_for_download(session, admin, tmp_path, info.name)
    with Session(engine) as session:
        assert not backup.may_download(session, admin)
        assert not backup.may_download(session, actors["teacher"])


def test_audit_rows_survive_backup_and_restore(engine: Engine, tmp_path: Path, new_database_url):
    actors = small_school(engine, children=1)
    with write_session(engine) as session:
        backup.create_backup(session, actors["admin"], engine, tmp_path)
    info = backup.take_backup(engine, tmp_path)
    assert info.row_counts["audit_entries"] == 1
    target = new_database_url(_backend(engine))
    assert restore.restore_backup(info, target).ok
    restored = make_engine(target)
    try:
        with restored.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM audit_entries")).scalar() == 1
    finally:
        restored.dispose()
