"""Children's data on disk is the service user's only: the database, backups and manifests are
created 600 in 700 folders, whatever the umask of whoever starts the process; the app and the
command-line tools run with umask 077; the systemd units say UMask=0077 and are hardened
(`systemd-analyze security` under 4.0)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import db.engine
from db.engine import database_url, make_engine
from db.migrate import upgrade
from db.private_files import PRIVATE_UMASK, use_private_umask
from services.accounts import cli as accounts_cli
from services.ops import backup, backup_cli
from tests.ops.helpers import DEPLOY


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask of a login shell (files 644, folders 755); restored afterwards."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def current_umask() -> int:
    value = os.umask(0o022)
    os.umask(value)
    return value


def sqlite_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def test_the_default_database_and_its_folder_are_private(tmp_path, monkeypatch, loose_umask):
    default = tmp_path / "project" / "data" / "careledger.db"
    monkeypatch.setattr(db.engine, "DEFAULT_SQLITE_PATH", default)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    engine = make_engine(database_url())
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")

    assert mode(default.parent) == 0o700
    files = sqlite_files(default)
    assert default in files and Path(f"{default}-wal") in files  # WAL mode: the log too
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    engine.dispose()


def test_a_world_readable_database_from_before_is_tightened(tmp_path, monkeypatch, loose_umask):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    old = folder / "careledger.db"
    sqlite3.connect(old).close()
    assert mode(old) == 0o644 and mode(folder) == 0o755
    monkeypatch.setattr(db.engine, "DEFAULT_SQLITE_PATH", old)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    engine = make_engine(database_url())
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")

    assert mode(folder) == 0o700
    assert {f.name: mode(f) for f in sqlite_files(old)} == {
        f.name: 0o600 for f in sqlite_files(old)
    }
    engine.dispose()


def test_backups_and_manifests_are_private(tmp_path, loose_umask):
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)
    directory = tmp_path / "backups" / "nested"

    info = backup.take_backup(engine, directory)

    assert mode(tmp_path / "backups") == 0o700 and mode(directory) == 0o700
    manifest = info.path.with_name(info.path.name + ".json")
    assert (mode(info.path), mode(manifest)) == (0o600, 0o600)
    assert sorted(p.name for p in directory.iterdir()) == sorted([info.name, manifest.name])
    engine.dispose()


def test_the_default_backup_folder_is_private(tmp_path, monkeypatch, loose_umask):
    monkeypatch.setattr(backup, "PROJECT_ROOT", tmp_path)
    monkeypatch.delenv("CARELEDGER_BACKUP_DIR", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)

    info = backup.take_backup(engine)

    assert info.path.parent == tmp_path / "data" / "backups"
    assert mode(tmp_path / "data") == 0o700 and mode(tmp_path / "data" / "backups") == 0o700
    assert mode(info.path) == 0o600
    engine.dispose()


def test_an_existing_loose_backup_folder_is_tightened(tmp_path, loose_umask):
    directory = tmp_path / "backups"
    directory.mkdir(mode=0o755)
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)
    backup.take_backup(engine, directory)
    assert mode(directory) == 0o700
    engine.dispose()


def test_the_backup_command_runs_with_umask_077(tmp_path, loose_umask, capsys):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(make_engine(url))
    directory = tmp_path / "backups"

    assert backup_cli.main(["--dir", str(directory), "--database-url", url, "backup"]) == 0

    assert current_umask() == PRIVATE_UMASK
    assert mode(directory) == 0o700
    assert {mode(p) for p in directory.iterdir()} == {0o600}


def test_the_accounts_command_runs_with_umask_077(tmp_path, loose_umask, capsys):
    path = tmp_path / "new" / "careledger.db"
    path.parent.mkdir()
    code = accounts_cli.main(
        [
            *("--database-url", f"sqlite:///{path}", "create-admin"),
            *("--username", "wang", "--name", "王老师", "--school-code", "3601"),
            *("--school-name", "青山县第一小学", "--county", "青山县"),
        ]
    )
    assert code == 0
    assert current_umask() == PRIVATE_UMASK
    assert {mode(f) for f in sqlite_files(path)} == {0o600}


def test_use_private_umask_returns_the_old_one(loose_umask):
    assert use_private_umask() == 0o022
    assert current_umask() == 0o077


# --- systemd ------------------------------------------------------------------------------------

UNITS = ("careledger@.service", "careledger-migrate.service", "careledger-backup.service")
HARDENING = {
    "UMask": "0077",
    "ProtectSystem": "strict",
    "ReadWritePaths": "/var/lib/careledger",
    "NoNewPrivileges": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "StateDirectoryMode": "0700",
}


def service_settings(name: str) -> dict[str, list[str]]:
    """The [Service] section's Key=Value lines (a key may repeat), continuation lines joined."""
    text = (DEPLOY / name).read_text(encoding="utf-8").replace("\\\n", " ")
    settings: dict[str, list[str]] = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_is_hardened_and_creates_private_files(unit):
    settings = service_settings(unit)
    for key, value in HARDENING.items():
        assert settings.get(key) == [value], f"{unit}: {key}={settings.get(key)}"
    assert settings["User"] == ["careledger"]


def _offline_analysis_works() -> bool:
    if shutil.which("systemd-analyze") is None:
        return False
    probe = subprocess.run(
        ["systemd-analyze", "security", "--help"], capture_output=True, text=True, check=False
    )
    return "--offline" in probe.stdout


@pytest.mark.skipif(not _offline_analysis_works(), reason="no systemd-analyze --offline")
@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_security_is_under_4(unit, tmp_path):
    name = unit.replace("@.", "@8501.")  # a template is analysed as one instance
    (tmp_path / name).write_text((DEPLOY / unit).read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) < 4.0, result.stdout
