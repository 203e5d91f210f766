"""体检覆盖: health checks are a per-term routine, so this figure is always for a term — the term
of the report's period (the one running on its last day so far) — and says so in its label.

The counting is the health page's own (services/care/health.py `health_coverage`), so the report
prints the same "本学期已体检 530 / 594 人" as 体检.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Classroom, Term
from services.actor import Actor
from services.care.health import health_coverage
from services.compliance.risk import current_term_ids
from services.metrics.scope import Period, Scope, Share, school_names, shares, term_period
from services.scope import school_ids_in_view

UNIT_COLUMNS = ["unit", "children", "checked", "coverage", "left_behind_checked", "low_vision"]
COUNTS = ("children", "checked", "left_behind_checked", "low_vision")


@dataclass(frozen=True)
class HealthFigures:
    term: Period | None  # the term counted (None: the school has no term yet)
    children: int
    checked: int
    left_behind_checked: int
    low_vision: int

    coverage = Share("checked", "children")


def health_term(session: Session, actor: Actor, period: Period, as_of: date) -> Period | None:
    """The term of each school in view on the period's last day so far (or the latest before
    it), as one date range; named after the term when all schools share the name."""
    ids = current_term_ids(session, school_ids_in_view(session, actor), period.cut(as_of))
    terms = session.execute(
        select(Term.name, Term.start_date, Term.end_date).where(Term.id.in_(ids or [-1]))
    ).all()
    if not terms:
        return None
    names = {name for name, _, _ in terms}
    name = names.pop() if len(names) == 1 else ""
    return term_period(name, min(s for _, s, _ in terms), max(e for _, _, e in terms))


def health_by_unit(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date, by_school: bool
) -> tuple[HealthFigures, pd.DataFrame]:
    """The figures for the term of the period, and per class (per school for the bureau):
    UNIT_COLUMNS."""
    term = health_term(session, actor, period, as_of)
    if term is None:
        return HealthFigures(None, 0, 0, 0, 0), pd.DataFrame(columns=UNIT_COLUMNS)
    frame = health_coverage(session, actor, term.start, term.end)
    if scope.classroom_id is not None:
        frame = frame[frame["classroom_id"] == scope.classroom_id]
    if scope.grade is not None:
        frame = frame[frame["grade"] == scope.grade]
    totals = HealthFigures(term, *(int(frame[c].sum()) for c in COUNTS))
    frame = frame.rename(columns={"classroom": "unit"})
    if by_school:
        schools = school_names(session, Classroom, frame["classroom_id"].tolist())
        frame = frame.assign(unit=frame["classroom_id"].map(schools))
        frame = frame.groupby("unit", as_index=False, sort=True)[list(COUNTS)].sum()
    frame = frame.assign(coverage=shares(frame["checked"], frame["children"]))
    return totals, frame[UNIT_COLUMNS].reset_index(drop=True)


def health_figures(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> HealthFigures:
    return health_by_unit(session, actor, scope, period, as_of, by_school=False)[0]
