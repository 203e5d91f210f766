"""Headline counts for the home page and the dashboards (SQL aggregates only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType
from db.models import Child
from services.accounts.actor import Actor
from services.scope import school_ids_in_view


@dataclass(frozen=True)
class Headline:
    children: int
    left_behind: int
    both_parents_away: int
    father_away: int
    mother_away: int

    @property
    def left_behind_share(self) -> float:
        return self.left_behind / self.children if self.children else 0.0

    @property
    def both_parents_share(self) -> float:
        """Share of left-behind children whose parents are both away."""
        return self.both_parents_away / self.left_behind if self.left_behind else 0.0

    @property
    def one_parent_share(self) -> float:
        return (self.father_away + self.mother_away) / self.left_behind if self.left_behind else 0.0


def school_headline(session: Session, actor: Actor) -> Headline:
    """Enrolled children and the left-behind mix of the actor's school (or county)."""
    lbt = Child.left_behind_type

    def count_if(cond) -> object:  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(Child.id),
            count_if(lbt != LeftBehindType.NONE),
            count_if(lbt == LeftBehindType.BOTH),
            count_if(lbt == LeftBehindType.FATHER),
            count_if(lbt == LeftBehindType.MOTHER),
        ).where(
            Child.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
    ).one()
    return Headline(*(int(v) for v in row))
