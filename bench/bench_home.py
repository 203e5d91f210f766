"""Home page service calls at 500 and 5,000 children (DESIGN.md §9: growth < 2x)."""

from __future__ import annotations

from sqlalchemy import select

from bench.timing import best_of, fmt, seeded_sqlite
from db.engine import read_session
from db.enums import Role
from db.models import User
from services.actor import load_actor
from services.metrics.headcounts import school_headline


def time_home(children: int) -> float:
    engine = seeded_sqlite(children)
    with read_session(engine) as session:
        principal_id = session.scalar(select(User.id).where(User.role == Role.PRINCIPAL))
        actor = load_actor(session, principal_id)
        return best_of(lambda: school_headline(session, actor))


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    small, large = (200, 1000) if quick else (500, 5000)
    t_small, t_large = time_home(small), time_home(large)
    return [
        ("home page headline (SQLite)", f"{small} children", fmt(t_small)),
        ("home page headline (SQLite)", f"{large} children", fmt(t_large)),
        ("home page growth", f"{small} → {large}", f"{t_large / t_small:.2f}×"),
    ]
