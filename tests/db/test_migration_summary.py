"""Migration 0006 (county summary): up from 0005 with a school in place — it is marked to be
summarised, and a write to its contacts, children, rules or terms marks it again — and down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from db.migrate import alembic_config, upgrade
from tests.db.test_migrations import NOW, empty_engine  # noqa: F401  (fixture)

SUMMARY_TABLES = {"compliance_summary", "summary_stale"}
SCHOOL = (
    "INSERT INTO schools (id, name, county, code, version, created_at, updated_at)"
    " VALUES (1, '青山小学', '某县', 'S1', 1, :t, :t)"
)
CHILD = (
    "INSERT INTO children (id, school_id, student_no, name, boarding, enrolment_status,"
    " left_behind_type, is_key, key_reasons, version, created_at, updated_at) VALUES"
    " (1, 1, 'G1', '小明', false, 'enrolled', 'both', false, '[]', 1, :t, :t)"
)
CONTACT = (
    "INSERT INTO contacts (id, school_id, child_id, contact_date, channel, counterpart, summary,"
    " follow_up_needed, version, created_at, updated_at) VALUES"
    " (1, 1, 1, '2026-11-03', 'phone', 'guardian', '通话', false, 1, :t, :t)"
)


def _markers(engine) -> set[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(text("SELECT school_id, month FROM summary_stale"))}


def _write(engine, *statements: str) -> None:  # type: ignore[no-untyped-def]
    """Run the statements in one transaction, after clearing the markers."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM summary_stale"))
        for statement in statements:
            conn.execute(text(statement), {"t": NOW})


def test_summary_migration_marks_schools_and_its_triggers_mark_writes(empty_engine):  # noqa: F811
    upgrade(empty_engine, "0005")
    with empty_engine.begin() as conn:
        conn.execute(text(SCHOOL), {"t": NOW})
    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= SUMMARY_TABLES
    assert _markers(empty_engine) == {(1, "*")}

    _write(empty_engine, CHILD)
    assert _markers(empty_engine) == {(1, "*")}
    _write(empty_engine, CONTACT)
    assert _markers(empty_engine) == {(1, "2026-11")}
    _write(empty_engine, "UPDATE contacts SET contact_date = '2026-10-30' WHERE id = 1")
    assert _markers(empty_engine) == {(1, "2026-11"), (1, "2026-10")}  # both months change
    _write(  # what compliance does not read marks nothing
        empty_engine,
        "UPDATE contacts SET concerns = '无' WHERE id = 1",
        "UPDATE children SET guardian_phone = '13800001234' WHERE id = 1",
    )
    assert _markers(empty_engine) == set()
    _write(empty_engine, "UPDATE children SET is_key = true WHERE id = 1")
    assert _markers(empty_engine) == {(1, "*")}
    _write(empty_engine, "DELETE FROM contacts")
    assert _markers(empty_engine) == {(1, "2026-10")}

    with empty_engine.connect() as conn:
        cfg = alembic_config(empty_engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert not SUMMARY_TABLES & set(inspect(empty_engine).get_table_names())
    with empty_engine.begin() as conn:  # no trigger is left behind to write to a dropped table
        conn.execute(text(CONTACT), {"t": NOW})
        conn.execute(text("DELETE FROM contacts"))
        conn.execute(text("UPDATE children SET is_key = false WHERE id = 1"))
