"""Backups without setup (#14): a pilot started with `make run` has no systemd timer and no cron,
so the running app takes the daily verified backup itself.

`AutoBackup` is a daemon thread (the app starts one per process, components/auto_backup.py): at
start, every `check_every` seconds and when woken (the setup wizard wakes it), it takes a backup
when the newest in the folder is `INTERVAL` old or there is none and the database holds a school
— the same consistent backup, manifest and 30-day retention as services/ops/backup.py —
test-restores it into a throw-away database, and writes one audit entry. A page never waits for
it; a failure is kept in `last_error` for the administrator's home page, never raised.

It runs only when CARELEDGER_AUTO_BACKUP is on (`make run` turns it on); servers with the
systemd timer or cron leave it off, and so do the tests unless one switches it on.

`backup_status` is what the administrator's home page shows: the newest backup's age (a warning
after `STALE_AFTER`), and whether a copy off the machine is due (monthly; the last download of
a backup, as the audit log records it).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import make_engine, normalise_url, read_session, write_session
from db.enums import AuditAction
from db.models import AuditEntry, School
from services.actor import Actor
from services.ops import backup, restore
from services.ops.backup_db import BackupFailed

_LOG = logging.getLogger(__name__)
ENV = "CARELEDGER_AUTO_BACKUP"
INTERVAL = timedelta(hours=24)
STALE_AFTER = timedelta(days=2)
COPY_EVERY = timedelta(days=30)
CHECK_EVERY_S = 600.0  # looking at the folder is cheap; a backup is taken once a day
DOWNLOADED = "backup downloaded:"  # how services/ops/backup.py words a download in the audit log


def enabled() -> bool:
    """CARELEDGER_AUTO_BACKUP is on (1, true, yes, on); off when unset."""
    return os.environ.get(ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def newest_backup(directory: Path) -> backup.BackupInfo | None:
    backups = backup.list_backups(directory)
    return backups[0] if backups else None


def is_due(directory: Path, now: datetime) -> bool:
    newest = newest_backup(directory)
    return newest is None or now - newest.created_at >= INTERVAL


def run_once(
    engine: Engine, directory: Path, now: datetime | None = None
) -> backup.BackupInfo | None:
    """Take, verify and audit a backup if one is due and the database holds a school."""
    now = now or datetime.now(UTC)
    if not is_due(directory, now):
        return None
    with read_session(engine) as session:
        schools = session.scalars(select(School.id).limit(2)).all()
    if not schools:
        return None  # nothing to keep yet (the setup wizard has not been finished)
    info = backup.take_backup(engine, directory)  # applies the retention too
    report = verify_backup(info, engine.url.render_as_string(hide_password=False))
    with write_session(engine) as session:
        backup.record_server_backup(
            session,
            f"automatic backup by the app: {info.name} ({info.total_rows} rows), "
            + ("verified" if report.ok else f"verification FAILED: {report.mismatches}"),
            ok=report.ok,
        )
    if not report.ok:
        raise BackupFailed(f"{info.name} did not restore cleanly: {report.integrity}")
    return info


def verify_backup(info: backup.BackupInfo, live_url: str) -> restore.RestoreReport:
    """Restore into a throw-away database (a temporary file, or a temporary database on the live
    PostgreSQL server) and check it against the manifest; the throw-away copy is removed."""
    if info.backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            return restore.restore_backup(info, f"sqlite:///{tmp}/verify.db")
    source = make_url(normalise_url(live_url))
    name = f"careledger_verify_{uuid.uuid4().hex[:8]}"
    try:
        return restore.restore_backup(
            info, source.set(database=name).render_as_string(hide_password=False)
        )
    finally:
        admin = make_engine(source.set(database="postgres").render_as_string(hide_password=False))
        try:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


class AutoBackup:
    """The background thread; `start()` returns at once."""

    def __init__(
        self, engine: Engine, directory: Path | None = None, check_every: float = CHECK_EVERY_S
    ) -> None:
        self.engine = engine
        self.directory = directory or backup.backup_dir()
        self.check_every = check_every
        self.last_taken: backup.BackupInfo | None = None
        self.last_error: str | None = None
        self.last_checked: datetime | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="careledger-backup", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Check now rather than at the next round (e.g. the school was just set up)."""
        self._wake.set()

    def stop(self, timeout: float = 60) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def check(self) -> None:
        """One round: a backup if due; a failure is logged and kept, never raised."""
        try:
            taken = run_once(self.engine, self.directory)
        except Exception as exc:  # the app must keep serving; the home page shows the reason
            _LOG.exception("automatic backup failed")
            self.last_error = f"{type(exc).__name__}: {exc}"[:500]
        else:
            if taken is not None:
                self.last_taken, self.last_error = taken, None
        self.last_checked = datetime.now(UTC)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.check()
            self._wake.wait(self.check_every)
            self._wake.clear()


# --- what the administrator's home page shows --------------------------------------------------


@dataclass(frozen=True)
class BackupStatus:
    newest: backup.BackupInfo | None
    age: timedelta | None
    stale: bool  # none, or the newest older than STALE_AFTER
    may_download: bool  # the page may hand the backup over (a database of one school)
    last_copied: datetime | None  # the last download of a backup, from the audit log
    copy_due: bool  # monthly: time to copy one off the machine


def backup_status(
    session: Session, actor: Actor, directory: Path, now: datetime | None = None
) -> BackupStatus:
    backup.require_backup_admin(actor)
    now = now or datetime.now(UTC)
    newest = newest_backup(directory)
    age = now - newest.created_at if newest else None
    may_download = backup.may_download(session, actor)
    last_copied = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.entity == "backup",
            AuditEntry.action == AuditAction.EXPORT,
            AuditEntry.detail.like(f"{DOWNLOADED}%"),
            AuditEntry.school_id == actor.school_id,
        )
    )
    if last_copied is not None and last_copied.tzinfo is None:
        last_copied = last_copied.replace(tzinfo=UTC)  # SQLite drops the zone; stored in UTC
    copy_due = (
        newest is not None
        and may_download
        and (last_copied is None or now - last_copied >= COPY_EVERY)
    )
    return BackupStatus(
        newest=newest,
        age=age,
        stale=age is None or age > STALE_AFTER,
        may_download=may_download,
        last_copied=last_copied,
        copy_due=copy_due,
    )
