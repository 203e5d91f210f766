"""What every figure is computed over: the children (Scope), the dates (Period) and the day of
looking (`as_of`, the school's today unless a test says otherwise).

Every metrics function takes `(session, actor, scope, period, as_of)`. The children are always
chosen by `children_in_scope` — enrolled, not deleted, visible to the actor, in the scope's grade
or class — so no two figures can disagree about who counts. Dated records (contacts, activities,
health checks, aid) count in the period that contains their date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType
from db.models import Child, Classroom, School
from locales import t
from services import permissions
from services.actor import Actor
from services.permissions import Action
from services.scope import child_visibility, school_ids_in_view

METRIC_ROLES = permissions.roles_with(Action.VIEW_METRICS)
IS_LEFT_BEHIND = Child.left_behind_type != LeftBehindType.NONE


@dataclass(frozen=True)
class Scope:
    """Which children: everyone in view, one grade, or one class."""

    grade: int | None = None
    classroom_id: int | None = None
    # Counts over the whole school(s) in view, not only the children the actor may open: the
    # home page's headcounts are the school's for every role (aggregates, no child is shown).
    whole_school: bool = False

    @property
    def everyone(self) -> bool:
        return self.grade is None and self.classroom_id is None


EVERYONE = Scope()
WHOLE_SCHOOL = Scope(whole_school=True)


@dataclass(frozen=True)
class Period:
    """A month, term, year (or any range) of dates, and the label printed for it."""

    kind: str
    start: date
    end: date
    label: str = ""

    def has_ended(self, as_of: date) -> bool:
        return self.end < as_of

    def has_started(self, as_of: date) -> bool:
        return self.start <= as_of

    def days_left(self, as_of: date) -> int:
        """Days still to run, today included (0 once ended)."""
        return max(0, (self.end - as_of).days + 1)

    def cut(self, as_of: date) -> date:
        """The last day with figures so far: the period's end, or today while it runs."""
        return min(self.end, as_of)


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    label = t("reports.period.month", year=year, month=month)
    return Period("month", date(year, month, 1), date(year, month, last), label)


def month_of(day: date) -> Period:
    return month_period(day.year, day.month)


def last_ended_month(as_of: date) -> Period:
    """The calendar month before `as_of`'s month (always ended by `as_of`)."""
    return month_of(as_of.replace(day=1) - timedelta(days=1))


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), t("reports.period.year", year=year))


def term_period(name: str, start: date, end: date) -> Period:
    return Period("term", start, end, name)


def children_in_scope(session: Session, actor: Actor, scope: Scope) -> list[ColumnElement[bool]]:
    """THE selection of children for every figure: enrolled, not deleted, visible to the actor
    (unless the scope is the whole school), in the scope's grade (through its classes) or class.
    No join needed."""
    conditions: list[ColumnElement[bool]] = [
        Child.school_id.in_(school_ids_in_view(session, actor) or [-1]),
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    ]
    if not scope.whole_school:
        conditions.append(child_visibility(actor))
    if scope.classroom_id is not None:
        conditions.append(Child.classroom_id == scope.classroom_id)
    if scope.grade is not None:
        grade_rooms = select(Classroom.id).where(Classroom.grade == scope.grade)
        conditions.append(Child.classroom_id.in_(grade_rooms))
    return conditions


def count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def share(part: int | float, whole: int | float) -> float | None:
    """part / whole, or None (shown as "—") when there is nothing to divide by."""
    return part / whole if whole else None


class Share:
    """A figure's share of two of its own counts, read like a property:
    `coverage = Share("checked", "children")` is `share(self.checked, self.children)`."""

    def __init__(self, part: str, whole: str) -> None:
        self.part, self.whole = part, whole

    def __get__(self, figures: Any, owner: type | None = None) -> Any:
        if figures is None:
            return self
        return share(getattr(figures, self.part), getattr(figures, self.whole))


def shares(parts: Iterable, wholes: Iterable) -> list[float | None]:
    """`share` element-wise (for a DataFrame column)."""
    return [share(p, w) for p, w in zip(parts, wholes, strict=True)]


def school_names(
    session: Session, owner: type[Child] | type[Classroom], ids: Iterable[int]
) -> dict[int, str]:
    """id → its school's name, for children or classes (the bureau's unit is the school)."""
    query = (
        select(owner.id, School.name)
        .join(School, School.id == owner.school_id)
        .where(owner.id.in_(list(ids) or [-1]))
    )
    return {row_id: name for row_id, name in session.execute(query)}
