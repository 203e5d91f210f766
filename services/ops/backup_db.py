"""Low-level helpers shared by backup and restore: row counts, schema revision, PostgreSQL
client tools (version check, connection without the password on the command line), checksums."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from db.engine import normalise_url
from services.errors import ServiceError


class BackupFailed(ServiceError):
    message_key = "ops.error.backup_failed"


def count_rows(execute: Callable[[str], Any], tables: list[str]) -> dict[str, int]:
    """Row count per table; `execute(sql)` returns something with fetchone()."""
    counts: dict[str, int] = {}
    for table in tables:
        if table == "alembic_version":
            continue
        counts[table] = int(execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])
    return counts


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in rows]


def sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def pg_revision(conn: Connection) -> str | None:
    exists = conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
    if exists is None:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_client_version(tool: str, server_major: int) -> None:
    """pg_dump/pg_restore must be at least the server's major version."""
    if shutil.which(tool) is None:
        raise BackupFailed(f"{tool} not found: apt-get install postgresql-client-{server_major}")
    out = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)\.\d+", out)
    if match and int(match.group(1)) < server_major:
        raise BackupFailed(f"{tool} {match.group(0)} is older than the server ({server_major})")


def libpq_command(url: str) -> tuple[list[str], dict[str, str]]:
    """`--dbname=<libpq URI without password>`, and the password in PGPASSWORD (not argv)."""
    sa_url = make_url(normalise_url(url))
    env = dict(os.environ)
    if sa_url.password:
        env["PGPASSWORD"] = str(sa_url.password)
    uri = sa_url.set(drivername="postgresql", password=None)
    return [f"--dbname={uri.render_as_string(hide_password=False)}"], env


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table (alembic_version left out)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
        else:
            tables = list(
                conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
        return count_rows(lambda sql: conn.exec_driver_sql(sql), sorted(tables))
