"""Sign-in cost, the gate's per-run database check, and the audit-log viewer on a large log."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from bench.timing import BENCH_DIR, best_of, fmt, seeded_sqlite
from db.engine import make_engine, read_session, write_session
from db.enums import AuditAction, Role
from db.migrate import upgrade
from db.models import AuditEntry, User
from services.accounts import signin
from services.accounts.passwords import hash_password
from services.actor import Actor
from services.ops.audit_log import AuditFilter, list_audit_entries


def time_sign_in() -> tuple[float, float]:
    """A password sign-in (bcrypt, cost 12) and the read-only re-check every page run does.

    Runs in one transaction that is rolled back: the shared seeded database is left as it was.
    """
    engine = seeded_sqlite(200)
    with write_session(engine) as session:
        user = session.scalar(select(User).where(User.username == "teacher"))
        user.password_hash = hash_password("bench-pass-1")
        session.flush()
        sign_in = best_of(lambda: signin.authenticate(session, "teacher", "bench-pass-1"), 3)
        sid = signin.authenticate(session, "teacher", "bench-pass-1").session_id
        check = best_of(
            lambda: (signin.check_session(session, sid), signin.needs_touch(session, sid)), 20
        )
        session.rollback()
    return sign_in, check


def audit_log_engine(rows: int) -> Engine:
    """A SQLite file with `rows` audit entries over a year, two schools, built once."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{BENCH_DIR / f'audit_{rows}.db'}")
    upgrade(engine)
    with read_session(engine) as session:
        if session.scalar(select(func.count(AuditEntry.id))) >= rows:
            return engine
    rng = random.Random(42)
    start = datetime(2026, 11, 28, tzinfo=UTC) - timedelta(days=365)
    actions = list(AuditAction)
    batch = []
    with engine.begin() as conn:
        for i in range(rows):
            batch.append(
                {
                    "at": start + timedelta(seconds=rng.randrange(365 * 86400)),
                    "user_id": rng.randrange(1, 300),
                    "username": f"user{rng.randrange(1, 300)}",
                    "role": "teacher",
                    "school_id": 1 + i % 2,
                    "action": rng.choice(actions),
                    "entity": rng.choice(["child", "contact", "user", "activity"]),
                    "entity_id": rng.randrange(1, 5000),
                    "ok": rng.random() > 0.02,
                    "before": {"summary": "旧"},
                    "after": {"summary": "新"},
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            conn.execute(insert(AuditEntry), batch)
    return engine


def time_audit_viewer(rows: int) -> tuple[float, float]:
    engine = audit_log_engine(rows)
    end = datetime(2026, 11, 28).date()
    default = AuditFilter(date_from=end - timedelta(days=30), date_to=end)
    by_user = AuditFilter(username="user42", date_from=end - timedelta(days=365), date_to=end)
    admin = Actor(user_id=1, username="admin", display_name="admin", role=Role.ADMIN, school_id=1)
    with read_session(engine) as session:
        return (
            best_of(lambda: list_audit_entries(session, admin, default)),
            best_of(lambda: list_audit_entries(session, admin, by_user)),
        )


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    sign_in, check = time_sign_in()
    rows = 50_000 if quick else 500_000
    default, by_user = time_audit_viewer(rows)
    return [
        ("password sign-in (bcrypt cost 12, audited)", "1 user", fmt(sign_in)),
        ("login gate re-check per page run", "1 user", f"{check * 1000:.1f} ms"),
        ("audit log page: last 30 days", f"{rows:,} entries", fmt(default)),
        ("audit log page: one user, a year", f"{rows:,} entries", fmt(by_user)),
    ]
