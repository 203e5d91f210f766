"""操作日志 → 操作日志完整性 (issue 13 item 8): the administrator checks the hash chain on request
and is told where it first breaks; nobody else is offered the check."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from db.enums import Role
from tests.pages.apptest import run_page, texts
from tests.pages.test_accounts_pages import school_case, with_log  # noqa: F401  (fixtures)


def check(at):
    return at.button(key="audit.integrity").click().run()


def _tamper(engine: Engine, statement: str) -> None:
    """Direct SQL behind the triggers' back, committed (the test database is cleared after)."""
    postgresql = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgresql:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER audit_entries_no_delete"))
        conn.execute(text(statement))
        if postgresql:
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))


def test_the_administrator_finds_the_log_intact(with_log):  # noqa: F811
    at = run_page("pages/audit_log.py", with_log[Role.ADMIN])
    assert not at.exception
    assert "操作日志完整性" in [e.label for e in at.expander]
    at = check(at)
    assert not at.exception
    [ok] = at.success
    assert "已核对全部 3 条" in ok.value and "没有发现改动或删除" in ok.value


def test_an_edited_entry_is_named(with_log, app_env):  # noqa: F811
    _tamper(app_env, "UPDATE audit_entries SET ok = NOT ok WHERE id = 2")
    at = check(run_page("pages/audit_log.py", with_log[Role.ADMIN]))
    [error] = at.error
    assert "编号 2" in error.value and "被改动过" in error.value


def test_a_deleted_entry_is_named(with_log, app_env):  # noqa: F811
    _tamper(app_env, "DELETE FROM audit_entries WHERE id = 2")
    at = check(run_page("pages/audit_log.py", with_log[Role.ADMIN]))
    [error] = at.error
    assert "编号 3" in error.value and "编号 1" in error.value and "删除" in error.value


@pytest.mark.parametrize("role", [Role.PRINCIPAL])
def test_only_the_administrator_is_offered_the_check(with_log, role):  # noqa: F811
    at = run_page("pages/audit_log.py", with_log[role])
    assert not at.exception
    assert "操作日志完整性" not in [e.label for e in at.expander]
    assert "操作日志完整性" not in texts(at)
