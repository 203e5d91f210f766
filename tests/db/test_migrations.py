"""The migrations build the schema the models describe, from empty, on each backend."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.base import Base
from db.engine import make_engine
from db.enums import AuditAction
from db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, scratch_pg_engine

NOW = datetime(2026, 11, 1, 8, tzinfo=UTC)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_from_empty_reaches_head_with_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        drift = compare_metadata(ctx, Base.metadata)
    assert drift == []


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An empty database of its own (the shared test database stays at head)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
        yield eng
        eng.dispose()
        return
    with scratch_pg_engine("careledger_migrate") as eng:
        yield eng


def _downgrade_from_head(engine: Engine, revision: str, table: str) -> set[str]:
    """Upgrade to head, downgrade to `revision`; the columns `table` is left with."""
    upgrade(engine)
    with engine.connect() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _insert_at_0002(conn: Connection, summaries: list[str | None]) -> None:
    """A school, a child and one phone call per summary, written as at revision 0002."""
    meta = MetaData()
    table = {n: Table(n, meta, autoload_with=conn) for n in ("schools", "children", "contacts")}
    stamp = {"version": 1, "created_at": NOW, "updated_at": NOW}
    conn.execute(table["schools"].insert(), [{"id": 1, "name": "青山小学", "county": "某县",
                                               "code": "S1", **stamp}])  # fmt: skip
    child = {"id": 1, "school_id": 1, "student_no": "G1", "name": "小明", "boarding": False,
             "enrolment_status": "enrolled", "left_behind_type": "both", "is_key": False,
             "key_reasons": []}  # fmt: skip
    conn.execute(table["children"].insert(), [{**child, **stamp}])
    conn.execute(
        table["contacts"].insert(),
        [
            {"id": i, "school_id": 1, "child_id": 1, "contact_date": date(2026, 11, i),
             "channel": "phone", "counterpart": "guardian", "summary": summary,
             "follow_up_needed": False, **stamp}
            for i, summary in enumerate(summaries, 1)
        ],
    )  # fmt: skip


def test_contact_outcome_migration_counts_old_contacts_with_a_summary(empty_engine):
    upgrade(empty_engine, "0002_compliance")
    with empty_engine.begin() as conn:
        _insert_at_0002(conn, ["家访，奶奶身体好", "  ", None])

    upgrade(empty_engine)

    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT outcome, substantive FROM contacts ORDER BY id")).all()
    assert [(outcome, bool(said)) for outcome, said in rows] == [
        (None, True),
        (None, False),
        (None, False),
    ]
    with empty_engine.begin() as conn:  # the triggers keep it on every later write
        conn.execute(text("UPDATE contacts SET outcome = 'no_answer' WHERE id = 1"))
        conn.execute(text("UPDATE contacts SET outcome = 'talked' WHERE id = 3"))
        conn.execute(
            text("UPDATE contacts SET summary = '有内容', substantive = false WHERE id = 2")
        )
        conn.execute(
            text(
                "INSERT INTO contacts (id, school_id, child_id, contact_date, channel, counterpart,"
                " summary, follow_up_needed, version, created_at, updated_at, substantive) VALUES"
                " (4, 1, 1, '2026-11-04', 'phone', 'guardian', ' ', false, 1, :t, :t, true)"
            ),
            {"t": NOW},
        )
        said = conn.execute(text("SELECT substantive FROM contacts ORDER BY id")).scalars().all()
    assert [bool(s) for s in said] == [False, True, True, False]
    index = {ix["name"]: ix["column_names"] for ix in inspect(empty_engine).get_indexes("contacts")}
    assert index["ix_contacts_child_date_match"][-1] == "substantive"


def test_contact_outcome_migration_downgrades(empty_engine):
    columns = _downgrade_from_head(empty_engine, "0002_compliance", "contacts")
    assert not {"outcome", "substantive"} & columns


def _insert_audit_at_0004(conn: Connection, count: int) -> None:
    """Audit rows as the code before the hash chain wrote them."""
    table = Table("audit_entries", MetaData(), autoload_with=conn)
    conn.execute(
        table.insert(),
        [
            {"at": NOW.replace(microsecond=i * 1001), "user_id": i, "username": f"老师{i}",
             "role": "teacher", "school_id": 1, "action": "update", "entity": "child",
             "entity_id": i, "before": {"name": "旧"}, "after": {"name": f"新{i}"},
             "ok": i % 2 == 0, "detail": None if i % 2 else f"说明 {i}"}
            for i in range(1, count + 1)
        ],
    )  # fmt: skip


def test_audit_chain_migration_chains_existing_rows(empty_engine):
    from db.audit_chain import GENESIS
    from services import audit
    from services.actor import SYSTEM_ACTOR
    from services.ops.audit_log import verify_audit_chain

    upgrade(empty_engine, "0004")
    with empty_engine.begin() as conn:
        _insert_audit_at_0004(conn, 3)

    upgrade(empty_engine)

    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT prev_hash, entry_hash FROM audit_entries ORDER BY id"))
        links = rows.all()
    assert links[0][0] == GENESIS
    assert [prev for prev, _ in links[1:]] == [own for _, own in links[:-1]]
    session = Session(empty_engine)
    audit.record(session, SYSTEM_ACTOR, AuditAction.SETTINGS, "rule", 1)  # carries on the chain
    session.commit()
    report = verify_audit_chain(session, SYSTEM_ACTOR)
    assert (report.ok, report.checked) == (True, 4)
    session.close()
    with pytest.raises(DBAPIError, match="append-only"), empty_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET detail = 'x'"))  # the guard is back


def test_audit_chain_migration_downgrades(empty_engine):
    columns = _downgrade_from_head(empty_engine, "0004", "audit_entries")
    assert not {"prev_hash", "entry_hash"} & columns
    with empty_engine.begin() as conn:
        _insert_audit_at_0004(conn, 1)
    for statement in ("UPDATE audit_entries SET detail = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"), empty_engine.begin() as conn:
            conn.execute(text(statement))
