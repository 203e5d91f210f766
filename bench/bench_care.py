"""Care figures (participation, health coverage, aid totals) at 500 and 5,000 children."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bench.timing import best_of, fmt, seeded_sqlite
from db.engine import read_session
from db.enums import Role
from db.models import User
from services.actor import load_actor
from services.care import aid, health, participation

CALLS = {
    "participation per class": participation.participation_by_class,
    "participation per activity": participation.participation_by_activity,
    "left-behind without activity": participation.left_behind_without_activity,
    "health coverage": health.health_coverage,
}


def time_calls(children: int) -> dict[str, float]:
    engine = seeded_sqlite(children)
    with read_session(engine) as session:
        principal_id = session.scalar(select(User.id).where(User.role == Role.PRINCIPAL))
        actor = load_actor(session, principal_id)
        term_id = participation.current_term_id(session, actor, date.today())
        period = participation.term_period(session, actor, term_id) if term_id else (None, None)
        if period[0] is None:
            period = (date(2000, 1, 1), date(2100, 1, 1))
        times = {name: best_of(lambda f=f: f(session, actor, *period)) for name, f in CALLS.items()}
        times["aid totals"] = best_of(lambda: aid.aid_totals(session, actor, term_id))
        return times


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    small, large = (200, 1000) if quick else (500, 5000)
    t_small, t_large = time_calls(small), time_calls(large)
    rows = []
    for name in t_small:
        rows.append((f"{name} (SQLite)", f"{small} children", fmt(t_small[name])))
        rows.append((f"{name} (SQLite)", f"{large} children", fmt(t_large[name])))
        growth = t_large[name] / t_small[name] if t_small[name] else 0
        rows.append((f"{name} growth", f"{small} → {large}", f"{growth:.2f}×"))
    return rows
