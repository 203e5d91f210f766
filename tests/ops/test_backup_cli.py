"""The backup command line, as cron and the county's IT use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.ops import backup
from services.ops.backup_cli import main
from tests.conftest import engine_url
from tests.ops.helpers import small_school


def test_backup_verify_list_restore(
    engine: Engine, tmp_path: Path, new_database_url, capsys: pytest.CaptureFixture
):
    small_school(engine, children=7)
    live = ["--database-url", engine_url(engine), "--dir", str(tmp_path)]
    assert main([*live, "backup", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "OK: every table matches the manifest" in out
    [info] = backup.list_backups(tmp_path)

    assert main([*live, "list"]) == 0
    assert info.name in capsys.readouterr().out

    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    target = new_database_url(backend)
    assert main([*live, "restore", info.name, "--target-url", target]) == 0
    out = capsys.readouterr().out
    assert "children" in out and "MISMATCH" not in out
    # A second restore into the same (now existing) database is refused with a message.
    assert main([*live, "restore", str(info.path), "--target-url", target]) == 2
    assert "already exists" in capsys.readouterr().err


def test_restore_of_an_unknown_backup_fails_cleanly(tmp_path: Path, capsys):
    code = main(["--dir", str(tmp_path), "restore", "nope.sqlite3", "--target-url", "sqlite://"])
    assert code == 2
    assert "nope.sqlite3" in capsys.readouterr().err
