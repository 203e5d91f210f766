"""Files with children's data are the service user's only: 600 for files, 700 for folders.

`use_private_umask()` is called at the start of the app and of every command-line tool, so
whatever they create is private by default. The database, the backups and their manifests do
not rely on it: they are created (or tightened) explicitly with the helpers below, so a process
started from a shell with umask 022 — a test, `python -m seed`, an old cron line — still
writes nothing that other users of the server can read.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# SQLite's companions of a database file (WAL mode; a rollback journal otherwise).
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def use_private_umask() -> int:
    """Set umask 077 for this process (files 600, folders 700); returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def tighten(path: Path) -> None:
    """Take group and other permissions away from `path` (644 → 600, 755 → 700) if it is ours."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid != os.getuid() or not info.st_mode & 0o077:
        return
    with contextlib.suppress(OSError):  # e.g. a read-only file system: best-effort
        path.chmod(stat.S_IMODE(info.st_mode) & ~0o077)


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents as 700 folders; tighten it if it exists."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)  # a umask can only take bits away
    tighten(path)
    return path


def create_private_file(path: Path) -> Path:
    """Create `path` empty with mode 600 (it must not exist yet)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    os.chmod(path, PRIVATE_FILE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` with mode 600, replacing what was there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def tighten_sqlite(database: str | None) -> None:
    """Make a SQLite database file and its -wal/-shm/-journal companions 600 (if ours)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    for suffix in SQLITE_SUFFIXES:
        tighten(Path(database + suffix))
