"""备份与恢复 page under AppTest: the admin takes a backup; other roles are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import AuditEntry
from services.ops import backup
from tests.factories import make_school, make_user
from tests.ops.helpers import small_school
from tests.pages.apptest import run_page, texts

PAGE = "pages/backups.py"


@pytest.fixture
def backup_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "backups"
    monkeypatch.setenv("CARELEDGER_BACKUP_DIR", str(folder))
    return folder


def test_admin_takes_a_backup_now_and_sees_it_listed(app_env: Engine, backup_folder: Path):
    actors = small_school(app_env, children=4)
    at = run_page(PAGE, actors["admin"])
    assert not at.exception
    assert "还没有备份" in texts(at)

    at.button(key="ops.take_backup").click().run()
    assert not at.exception
    [info] = backup.list_backups(backup_folder)
    assert f"备份完成：{info.name}" in texts(at)
    assert at.dataframe[0].value.iloc[0]["文件"] == info.name
    assert "services.ops.backup_cli restore " + info.name in at.code[0].value
    with Session(app_env) as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.entity == "backup")).all()
    assert [a.username for a in audited] == ["admin"]


def test_download_is_offered_only_for_a_single_school_database(
    app_env: Engine, backup_folder: Path
):
    actors = small_school(app_env, children=1)
    backup.take_backup(app_env, backup_folder)
    at = run_page(PAGE, actors["admin"])
    assert "不能在网页上下载整份备份" not in texts(at)
    with Session(app_env) as session:
        make_user(session, make_school(session, name="邻校"), Role.ADMIN, username="other")
        session.commit()
    at = run_page(PAGE, actors["admin"])
    assert not at.exception
    assert "不能在网页上下载整份备份" in texts(at)


@pytest.mark.parametrize("role", ["principal", "teacher"])
def test_other_roles_are_refused(app_env: Engine, backup_folder: Path, role: str):
    actors = small_school(app_env, children=1)
    at = run_page(PAGE, actors[role])
    assert not at.exception
    assert "您没有权限执行此操作" in texts(at)
    assert not [b for b in at.button if b.key == "ops.take_backup"]
