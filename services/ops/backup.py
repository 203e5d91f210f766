"""Consistent backups while the app runs, their manifests, retention, and the admin page's actions.

A backup is two files in the backup folder: the data (`careledger-<UTC time>.sqlite3`, made with
SQLite's online backup API, or `.pgdump`, made with `pg_dump --format=custom`) and a manifest
(`<same name>.json`) with the row count of every table *in the same snapshot* as the data, the
schema revision and a SHA-256 of the file. Restoring is services/ops/restore.py.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from db.engine import PROJECT_ROOT
from db.enums import AuditAction
from db.models import School
from db.private_files import create_private_file, private_dir, write_private_text
from services import permissions
from services.actor import SYSTEM_ACTOR, Actor
from services.audit import record
from services.errors import NotAllowed, NotFound
from services.ops.backup_db import (
    BackupFailed,
    check_client_version,
    count_rows,
    libpq_command,
    pg_revision,
    sha256_of,
    sqlite_revision,
    sqlite_tables,
)
from services.permissions import Action

KEEP_DAYS = 30
NAME_PATTERN = re.compile(r"^careledger-(\d{8}T\d{6}Z)(?:-\d+)?\.(sqlite3|pgdump)$")
_TS_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class BackupInfo:
    name: str  # the data file's name
    path: Path
    created_at: datetime
    backend: str  # "sqlite" or "postgresql"
    size_bytes: int
    sha256: str
    schema_revision: str | None
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def backup_dir() -> Path:
    """Where backups go: CARELEDGER_BACKUP_DIR, else data/backups in the project."""
    configured = os.environ.get("CARELEDGER_BACKUP_DIR", "").strip()
    return Path(configured) if configured else PROJECT_ROOT / "data" / "backups"


# --- taking a backup -------------------------------------------------------------------------


def take_backup(
    engine: Engine, directory: Path | None = None, keep_days: int = KEEP_DAYS
) -> BackupInfo:
    """Back up the running database consistently, write its manifest, then apply retention."""
    directory = private_dir(directory or backup_dir())  # 700, files in it 600
    created = datetime.now(UTC).replace(microsecond=0)
    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    path = _free_name(directory, created, "sqlite3" if backend == "sqlite" else "pgdump")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)  # sqlite3 and pg_dump write into it and keep its mode 600
    try:
        if backend == "sqlite":
            counts, revision = _sqlite_backup(engine, partial)
        else:
            counts, revision = _pg_backup(engine, partial)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    info = BackupInfo(
        name=path.name,
        path=path,
        created_at=created,
        backend=backend,
        size_bytes=path.stat().st_size,
        sha256=sha256_of(path),
        schema_revision=revision,
        row_counts=counts,
    )
    _write_manifest(info, engine)
    apply_retention(directory, keep_days)
    return info


def _free_name(directory: Path, created: datetime, suffix: str) -> Path:
    stem = f"careledger-{created.strftime(_TS_FORMAT)}"
    path, n = directory / f"{stem}.{suffix}", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.{suffix}"
    return path


def _sqlite_backup(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """Online backup API in one step inside a read transaction, so counts and copy agree."""
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupFailed("an in-memory database cannot be backed up")
    src = sqlite3.connect(source_path, timeout=15)
    try:
        src.execute("BEGIN")  # WAL: from the first read on, this connection sees one snapshot
        counts = count_rows(src.execute, sqlite_tables(src))
        revision = sqlite_revision(src)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)  # pages=-1: everything in one step, from the same snapshot
            # A copy in WAL mode would get -wal/-shm files next to it from every read-only open
            # (verify, restore) that no one removes; a backup file is one file.
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    if check != "ok":
        raise BackupFailed(f"integrity check of the copy failed: {check}")
    return counts, revision


def _pg_backup(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump from a snapshot exported by a REPEATABLE READ transaction we count rows in."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        tables = list(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            ).scalars()
        )
        counts = count_rows(lambda sql: conn.execute(text(sql)), tables)
        revision = pg_revision(conn)
        server_major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        check_client_version("pg_dump", server_major)
        cmd, env = libpq_command(engine.url.render_as_string(hide_password=False))
        result = subprocess.run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(dest), *cmd],
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        conn.rollback()
    if result.returncode != 0:
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip()[:400]}")
    return counts, revision


def _manifest_path(data_path: Path) -> Path:
    return data_path.with_name(data_path.name + ".json")


def _write_manifest(info: BackupInfo, engine: Engine) -> None:
    payload = asdict(info)
    payload["path"] = info.name
    payload["created_at"] = info.created_at.isoformat()
    payload["source"] = engine.url.render_as_string(hide_password=True)
    write_private_text(_manifest_path(info.path), json.dumps(payload, ensure_ascii=False, indent=2))


# --- listing and retention ---------------------------------------------------------------------


def list_backups(directory: Path | None = None) -> list[BackupInfo]:
    """Every complete backup (data file + manifest) in the folder, newest first."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if NAME_PATTERN.match(path.name) and _manifest_path(path).exists():
            found.append(_read_manifest(path))
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def _read_manifest(path: Path) -> BackupInfo:
    data = json.loads(_manifest_path(path).read_text(encoding="utf-8"))
    return BackupInfo(
        name=path.name,
        path=path,
        created_at=datetime.fromisoformat(data["created_at"]),
        backend=data["backend"],
        size_bytes=int(data["size_bytes"]),
        sha256=data["sha256"],
        schema_revision=data.get("schema_revision"),
        row_counts={k: int(v) for k, v in data["row_counts"].items()},
    )


def find_backup(name: str, directory: Path | None = None) -> BackupInfo:
    """The backup called `name` (the data file's name), or NotFound."""
    for info in list_backups(directory):
        if info.name == name:
            return info
    raise NotFound(f"backup {name}")


def apply_retention(directory: Path, keep_days: int = KEEP_DAYS) -> list[str]:
    """Keep every backup of the newest `keep_days` days that have backups; delete older ones."""
    backups = list_backups(directory)
    days = sorted({b.created_at.date() for b in backups}, reverse=True)[:keep_days]
    removed = []
    for info in backups:
        if info.created_at.date() not in days:
            info.path.unlink(missing_ok=True)
            _manifest_path(info.path).unlink(missing_ok=True)
            removed.append(info.name)
    return removed


# --- the admin page's audited actions --------------------------------------------------------


def require_backup_admin(actor: Actor) -> None:
    """Backups hold every school's data: administrators only."""
    permissions.require(actor, Action.BACKUPS)


def create_backup(session: Session, actor: Actor, engine: Engine, directory: Path) -> BackupInfo:
    """Take a backup now on behalf of an admin, audited in the page's transaction."""
    require_backup_admin(actor)
    info = take_backup(engine, directory)
    record(
        session,
        actor,
        AuditAction.EXPORT,
        "backup",
        detail=f"backup taken: {info.name} ({info.total_rows} rows)",
    )
    return info


def record_server_backup(session: Session, detail: str, *, ok: bool = True) -> None:
    """The audit entry of a backup the server took (the app's daily one, the command line). In a
    database of one school it belongs to that school, so its administrators see it on 操作日志."""
    ids = session.scalars(select(School.id).limit(2)).all()
    school_id = ids[0] if len(ids) == 1 else None
    record(
        session,
        SYSTEM_ACTOR,
        AuditAction.EXPORT,
        "backup",
        detail=detail,
        school_id=school_id,
        ok=ok,
    )


def read_backup_for_download(session: Session, actor: Actor, directory: Path, name: str) -> bytes:
    """The backup file's bytes for an admin allowed to take the whole database away; audited."""
    require_backup_admin(actor)
    if not may_download(session, actor):
        raise NotAllowed("backup holds other schools' data")
    info = find_backup(name, directory)
    record(session, actor, AuditAction.EXPORT, "backup", detail=f"backup downloaded: {info.name}")
    return info.path.read_bytes()


def may_download(session: Session, actor: Actor) -> bool:
    """Only when the database holds no school but the admin's own (a county's IT uses the CLI)."""
    if not permissions.allows(actor, Action.BACKUPS, needs_school=True):
        return False
    others = select(func.count()).select_from(School).where(School.id != actor.school_id)
    return session.scalar(others) == 0
