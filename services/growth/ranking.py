"""Keep `TermResult.percentile` current: after any write of a class's results for a subject and
term, the whole group is ranked again (services/growth/percentiles.py), in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.growth_models import TermResult
from services.growth.percentiles import percentiles, rank_values

Group = tuple[int, int, int | None, str]  # school_id, term_id, classroom_id, subject


def group_of(result: TermResult) -> Group:
    return (result.school_id, result.term_id, result.classroom_id, result.subject)


def rerank(session: Session, groups: Iterable[Group]) -> None:
    """Recompute the percentile of every live result in each group (call after flushing the
    writes; the rows' own versions are not bumped: percentile is derived, not edited)."""
    for school_id, term_id, classroom_id, subject in sorted(set(groups), key=str):
        members = list(
            session.scalars(
                select(TermResult).where(
                    TermResult.school_id == school_id,
                    TermResult.term_id == term_id,
                    TermResult.classroom_id.is_(None)
                    if classroom_id is None
                    else TermResult.classroom_id == classroom_id,
                    TermResult.subject == subject,
                    TermResult.deleted_at.is_(None),
                )
            )
        )
        if not members:
            continue
        values = percentiles(rank_values([(r.score, r.grade) for r in members]))
        table = TermResult.__table__
        for result, value in zip(members, values, strict=True):
            if result.percentile != value:
                session.execute(
                    table.update().where(table.c.id == result.id).values(percentile=value)
                )
                session.expire(result, ["percentile"])
