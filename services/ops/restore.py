"""Restore a backup into a NEW database, then check it: integrity (SQLite's integrity_check, or a
clean pg_restore in one transaction) and every table's row count against the backup's manifest."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import make_engine, normalise_url
from services.errors import ServiceError
from services.ops.backup import BackupInfo
from services.ops.backup_db import check_client_version, libpq_command, sha256_of, table_counts

# One transaction: a restore that fails half-way leaves an empty database, not half of one.
PG_RESTORE_FLAGS = (
    "pg_restore",
    "--no-owner",
    "--no-privileges",
    "--single-transaction",
    "--exit-on-error",
)


class RestoreRefused(ServiceError):
    message_key = "ops.error.restore_refused"


@dataclass(frozen=True)
class RestoreReport:
    target: str  # the new database, password hidden
    integrity: str  # "ok" or what the integrity check said
    expected: dict[str, int]
    actual: dict[str, int]

    @property
    def mismatches(self) -> dict[str, tuple[int | None, int | None]]:
        tables = sorted(set(self.expected) | set(self.actual))
        return {
            t: (self.expected.get(t), self.actual.get(t))
            for t in tables
            if self.expected.get(t) != self.actual.get(t)
        }

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.mismatches


def restore_backup(info: BackupInfo, target_url: str) -> RestoreReport:
    """Restore into a NEW database at `target_url`, then check integrity and row counts."""
    if sha256_of(info.path) != info.sha256:
        raise RestoreRefused(f"{info.name} does not match its manifest checksum")
    target_url = normalise_url(target_url)
    is_sqlite = target_url.startswith("sqlite")
    if is_sqlite != (info.backend == "sqlite"):
        raise RestoreRefused(f"a {info.backend} backup restores into a {info.backend} database")
    if is_sqlite:
        integrity = _sqlite_restore(info.path, target_url)
    else:
        integrity = _pg_restore(info.path, target_url)
    engine = make_engine(target_url)
    try:
        actual = table_counts(engine)
    finally:
        engine.dispose()
    return RestoreReport(
        target=make_url(target_url).render_as_string(hide_password=True),
        integrity=integrity,
        expected=dict(info.row_counts),
        actual=actual,
    )


def _sqlite_restore(backup_path: Path, target_url: str) -> str:
    target = make_url(target_url).database
    if not target or target == ":memory:":
        raise RestoreRefused("restore needs a file path for the new SQLite database")
    if Path(target).exists():
        raise RestoreRefused(f"{target} already exists; restore only into a new database")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        return str(dst.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        dst.close()
        src.close()


def _pg_restore(backup_path: Path, target_url: str) -> str:
    """CREATE DATABASE (refusing an existing one), then pg_restore in one transaction."""
    url = make_url(target_url)
    name = url.database
    if not name or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise RestoreRefused(f"database name {name!r}: use letters, digits, _ and -")
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if exists:
                raise RestoreRefused(f"database {name} already exists; restore only into a new one")
            server_major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    check_client_version("pg_restore", server_major)
    cmd, env = libpq_command(target_url)
    result = subprocess.run(
        [*PG_RESTORE_FLAGS, *cmd, str(backup_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        return f"pg_restore failed: {result.stderr.strip()[:400]}"
    return "ok"
