"""Migration 0004 (sessions, lockout per address): up from 0003 with users in place, and down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from db.migrate import alembic_config, upgrade
from tests.db.test_migrations import NOW, empty_engine  # noqa: F401  (fixture)


def test_sessions_migration_keeps_the_users_and_downgrades(empty_engine):  # noqa: F811
    upgrade(empty_engine, "0003_contact_outcome")
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, active,"
                " failed_logins, must_change_password, version, created_at, updated_at)"
                " VALUES (1, 'li', '李老师', 'teacher', 'x', true, 3, false, 1, :t, :t)"
            ),
            {"t": NOW},
        )

    upgrade(empty_engine)

    tables = set(inspect(empty_engine).get_table_names())
    assert {"user_sessions", "login_throttles"} <= tables
    with empty_engine.connect() as conn:
        row = conn.execute(text("SELECT username, failed_logins, failures_since FROM users"))
        assert row.one() == ("li", 3, None)

    with empty_engine.connect() as conn:
        cfg = alembic_config(empty_engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003_contact_outcome")
    assert not {"user_sessions", "login_throttles"} & set(inspect(empty_engine).get_table_names())
    columns = {c["name"] for c in inspect(empty_engine).get_columns("users")}
    assert "failures_since" not in columns and "failed_logins" in columns
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
