"""Backups without setup (#14): the running app takes the daily verified backup itself, in a
background thread, when the newest is a day old; the same retention; off unless switched on (tests
never write backups into the repository); the administrator's home page status — the newest
backup's age, a warning after two days, and a monthly reminder to copy one off the machine."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import read_session, write_session
from db.enums import AuditAction
from db.models import AuditEntry, School
from services.ops import auto_backup, backup
from services.ops.auto_backup import AutoBackup, backup_status, run_once
from tests.factories import make_school
from tests.ops.helpers import small_school

NOW = datetime.now(UTC).replace(microsecond=0)


def auto_entries(engine) -> list[tuple]:
    """(action, ok, detail, school_id) of the automatic backups' audit entries."""
    with read_session(engine) as session:
        return [
            (e.action, e.ok, e.detail, e.school_id)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.entity == "backup" and "automatic" in (e.detail or "")
        ]


def age_backup(info: backup.BackupInfo, created: datetime) -> None:
    """Pretend `info` was taken at `created` (its manifest says when)."""
    manifest = info.path.with_name(info.name + ".json")
    data = json.loads(manifest.read_text())
    data["created_at"] = created.isoformat()
    manifest.write_text(json.dumps(data))


def test_off_unless_switched_on(monkeypatch):
    monkeypatch.delenv(auto_backup.ENV, raising=False)
    assert not auto_backup.enabled()
    for value in ("0", "no", "off", ""):
        monkeypatch.setenv(auto_backup.ENV, value)
        assert not auto_backup.enabled()
    for value in ("1", "yes", "on", "true"):
        monkeypatch.setenv(auto_backup.ENV, value)
        assert auto_backup.enabled()


def test_a_database_without_a_school_is_not_backed_up(engine, tmp_path):
    assert run_once(engine, tmp_path, NOW) is None
    assert backup.list_backups(tmp_path) == []


def test_a_backup_is_taken_verified_and_audited_when_the_newest_is_a_day_old(engine, tmp_path):
    small_school(engine, children=5)
    first = run_once(engine, tmp_path, NOW)
    assert first is not None
    assert [b.name for b in backup.list_backups(tmp_path)] == [first.name]
    assert run_once(engine, tmp_path, NOW + timedelta(hours=23)) is None  # not due yet
    age_backup(first, NOW - timedelta(hours=25))
    second = run_once(engine, tmp_path, NOW)
    assert second is not None and second.name != first.name
    entries = auto_entries(engine)
    assert len(entries) == 2
    assert all(action == AuditAction.EXPORT and ok for action, ok, _, _ in entries)
    assert "verified" in entries[0][2]
    with read_session(engine) as session:
        school_id = session.scalars(select(School.id)).one()
    assert entries[0][3] == school_id  # one school: its administrators see it


def test_verifying_leaves_only_the_backup_and_its_manifest(engine, tmp_path):
    """A read-only open of a WAL-mode copy would leave -wal and -shm files behind for ever."""
    small_school(engine, children=3)
    folder = tmp_path / "backups"
    info = run_once(engine, folder, NOW)
    assert info is not None
    assert sorted(p.name for p in folder.iterdir()) == [info.name, info.name + ".json"]


def test_the_same_retention_as_every_backup(engine, tmp_path):
    small_school(engine, children=3)
    seed = backup.take_backup(engine, tmp_path)
    for day in range(1, backup.KEEP_DAYS + 3):
        name = f"careledger-{(NOW - timedelta(days=day)):%Y%m%dT%H%M%SZ}.sqlite3"
        copy = tmp_path / name
        shutil.copy(seed.path, copy)
        manifest = json.loads(seed.path.with_name(seed.name + ".json").read_text())
        manifest["created_at"] = (NOW - timedelta(days=day)).isoformat()
        copy.with_name(name + ".json").write_text(json.dumps(manifest))
    seed.path.unlink()
    seed.path.with_name(seed.name + ".json").unlink()
    assert run_once(engine, tmp_path, NOW) is not None
    days = {b.created_at.date() for b in backup.list_backups(tmp_path)}
    assert len(days) == backup.KEEP_DAYS


def test_the_thread_runs_in_the_background_and_stops(engine, tmp_path):
    small_school(engine, children=3)
    runner = AutoBackup(engine, tmp_path, check_every=0.2)
    started = time.monotonic()
    runner.start()
    assert time.monotonic() - started < 1  # start() never waits for a backup
    deadline = time.monotonic() + 30
    while not backup.list_backups(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    runner.stop()
    assert len(backup.list_backups(tmp_path)) == 1  # one, not one per check
    assert runner.last_error is None
    assert runner.last_taken is not None


def test_a_new_school_is_backed_up_as_soon_as_the_thread_is_woken(engine, tmp_path):
    runner = AutoBackup(engine, tmp_path, check_every=3600)
    runner.start()
    time.sleep(0.5)  # the first round found no school
    assert backup.list_backups(tmp_path) == []
    small_school(engine, children=3)
    runner.wake()
    deadline = time.monotonic() + 30
    while not backup.list_backups(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    runner.stop()
    assert len(backup.list_backups(tmp_path)) == 1


def test_a_failing_backup_is_reported_not_raised(engine, tmp_path, monkeypatch):
    small_school(engine, children=3)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(auto_backup.backup, "take_backup", broken)
    runner = AutoBackup(engine, tmp_path, check_every=0.1)
    runner.check()
    assert "disk full" in (runner.last_error or "")


# --- the administrator's home page status --------------------------------------------------------


def test_status_without_any_backup_warns(engine, tmp_path):
    actors = small_school(engine, children=2)
    with read_session(engine) as session:
        status = backup_status(session, actors["admin"], tmp_path, NOW)
    assert status.newest is None
    assert status.stale
    assert not status.copy_due  # nothing to copy yet


def test_status_warns_after_two_days_and_reminds_monthly_to_copy(engine, tmp_path):
    actors = small_school(engine, children=2)
    info = backup.take_backup(engine, tmp_path)
    age_backup(info, NOW - timedelta(hours=30))
    with read_session(engine) as session:
        status = backup_status(session, actors["admin"], tmp_path, NOW)
    assert status.newest is not None and status.newest.name == info.name
    assert status.age == timedelta(hours=30)
    assert not status.stale
    assert status.copy_due and status.may_download and status.last_copied is None
    age_backup(info, NOW - timedelta(days=2, hours=1))
    with read_session(engine) as session:
        assert backup_status(session, actors["admin"], tmp_path, NOW).stale
    # the reminder's button: downloading the newest is audited, and quiets it for a month
    with write_session(engine) as session:
        data = backup.read_backup_for_download(session, actors["admin"], tmp_path, info.name)
    assert data == info.path.read_bytes()
    with read_session(engine) as session:
        status = backup_status(session, actors["admin"], tmp_path, datetime.now(UTC))
    assert not status.copy_due and status.last_copied is not None
    later = datetime.now(UTC) + timedelta(days=31)
    with read_session(engine) as session:
        assert backup_status(session, actors["admin"], tmp_path, later).copy_due


def test_no_copy_reminder_where_the_page_cannot_download(engine, tmp_path):
    actors = small_school(engine, children=2)
    with write_session(engine) as session:
        make_school(session, name="另一所学校")  # a county database: the IT staff copy it
    backup.take_backup(engine, tmp_path)
    with read_session(engine) as session:
        status = backup_status(session, actors["admin"], tmp_path, NOW)
    assert not status.may_download and not status.copy_due


def test_tests_leave_the_repository_alone():
    """The app only backs up by itself when CARELEDGER_AUTO_BACKUP says so; `make run` does."""
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "CARELEDGER_AUTO_BACKUP ?= 1" in makefile


@pytest.fixture(autouse=True)
def _no_switch(monkeypatch):
    monkeypatch.delenv(auto_backup.ENV, raising=False)
