"""The archive page's service calls at 500 and 5,000 children (DESIGN.md §9: growth < 2×):
one filtered page of 100 rows plus completeness (建档率), as the principal sees them."""

from __future__ import annotations

from sqlalchemy import select

from bench.timing import best_of, fmt, seeded_sqlite
from db.engine import read_session
from db.enums import Role
from db.models import User
from services.actor import load_actor
from services.records.children import (
    ChildFilter,
    archive_completeness,
    child_columns,
    list_children,
)
from services.records.contacts import ContactFilter, list_contacts


def archive_page_calls(session, actor, filters: ChildFilter) -> None:  # type: ignore[no-untyped-def]
    child_columns(session, actor)
    list_children(session, actor, filters, offset=0, limit=100)
    archive_completeness(session, actor, filters)


def time_archive(children: int) -> tuple[float, float, float]:
    engine = seeded_sqlite(children)
    with read_session(engine) as session:
        principal_id = session.scalar(select(User.id).where(User.role == Role.PRINCIPAL))
        actor = load_actor(session, principal_id)
        whole = best_of(lambda: archive_page_calls(session, actor, ChildFilter()))
        searched = best_of(lambda: archive_page_calls(session, actor, ChildFilter(search="王")))
        contacts = best_of(lambda: list_contacts(session, actor, ContactFilter(), 0, 100))
    return whole, searched, contacts


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    small, large = (200, 1000) if quick else (500, 5000)
    s_whole, s_search, s_contacts = time_archive(small)
    l_whole, l_search, l_contacts = time_archive(large)
    rows = []
    for what, t_small, t_large in (
        ("archive page: 100 rows + 建档率", s_whole, l_whole),
        ("archive page, search 王", s_search, l_search),
        ("contact log: 100 rows", s_contacts, l_contacts),
    ):
        rows += [
            (f"{what} (SQLite)", f"{small} children", fmt(t_small)),
            (f"{what} (SQLite)", f"{large} children", fmt(t_large)),
            (f"{what} growth", f"{small} → {large}", f"{t_large / t_small:.2f}×"),
        ]
    return rows
