"""Headcounts and shares: enrolled children, left-behind children by type, key children.

Counted over `children_in_scope` as the register stands (enrolment status today); `period` and
`as_of` are taken for the common signature and do not change a headcount. Shares are None (shown
"—") when the group is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import LeftBehindType
from db.models import Child, Classroom, School
from services.actor import Actor
from services.clock import school_today
from services.metrics.scope import (
    IS_LEFT_BEHIND,
    WHOLE_SCHOOL,
    Period,
    Scope,
    Share,
    children_in_scope,
    count_if,
)

UNIT_COLUMNS = ["unit", "grade", "children", "left_behind", "both", "one_parent", "key"]


@dataclass(frozen=True)
class Headcounts:
    children: int
    left_behind: int
    both_parents_away: int
    father_away: int
    mother_away: int
    key_children: int

    @property
    def one_parent_away(self) -> int:
        return self.father_away + self.mother_away

    left_behind_share = Share("left_behind", "children")
    # of the left-behind children, those whose parents are both away / one parent is away
    both_parents_share = Share("both_parents_away", "left_behind")
    one_parent_share = Share("one_parent_away", "left_behind")


def _columns() -> list:
    lbt = Child.left_behind_type
    return [
        func.count(Child.id),
        count_if(IS_LEFT_BEHIND),
        count_if(lbt == LeftBehindType.BOTH),
        count_if(lbt == LeftBehindType.FATHER),
        count_if(lbt == LeftBehindType.MOTHER),
        count_if(Child.is_key.is_(True)),
    ]


def headcounts(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> Headcounts:
    """在校生、留守儿童（双亲/父亲/母亲外出）、重点帮扶对象 in the scope."""
    row = session.execute(select(*_columns()).where(*children_in_scope(session, actor, scope)))
    return Headcounts(*(int(v) for v in row.one()))


def school_headline(session: Session, actor: Actor) -> Headcounts:
    """The home page's headcounts: the whole school (the county for the bureau), today."""
    return headcounts(session, actor, WHOLE_SCHOOL, None, school_today())


def headcounts_by_unit(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date, by: str
) -> pd.DataFrame:
    """The same headcounts per class, grade or school (UNIT_COLUMNS; `by` names the unit).

    Classes and grades in grade/number order, schools by name; children without a class form a
    unit of their own (unit None)."""
    keys = {
        "classroom": [Classroom.name, Classroom.grade],
        "grade": [Classroom.grade, Classroom.grade],
        "school": [School.name, School.id],
    }[by]
    order = {
        "classroom": [Classroom.grade, Classroom.number],
        "grade": [Classroom.grade],
        "school": [School.name],
    }[by]
    counts = _columns()
    query = (
        select(keys[0], keys[1], *counts[:3], counts[3] + counts[4], counts[5])
        .select_from(Child)
        .join(School, School.id == Child.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*children_in_scope(session, actor, scope))
        .group_by(*dict.fromkeys([*keys, *order]))
        .order_by(*order)
    )
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=UNIT_COLUMNS)
    for column in UNIT_COLUMNS[2:]:
        frame[column] = frame[column].astype(int)
    if by == "school":
        frame["grade"] = None
    return frame


def left_behind_by_grade(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> pd.DataFrame:
    """The chart's long form of the per-grade headcounts: grade, left_behind_type, children."""
    by_type = session.execute(
        select(Classroom.grade, Child.left_behind_type, func.count(Child.id))
        .join(Classroom, Classroom.id == Child.classroom_id)
        .where(*children_in_scope(session, actor, scope))
        .group_by(Classroom.grade, Child.left_behind_type)
        .order_by(Classroom.grade, Child.left_behind_type)
    )
    rows = [(int(g), LeftBehindType(v).value, int(n)) for g, v, n in by_type]
    return pd.DataFrame(rows, columns=["grade", "left_behind_type", "children"])
