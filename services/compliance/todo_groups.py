"""我的待办 by child: one group per child with every duty still open, worst first, and the
filters (class, kind of duty) and counts the page shows above the cards.

Input is the frame of `services.compliance.todo.my_todo` (one row per child and rule); nothing
here queries the database, so the same rows give the counts, the filters and the cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from locales import t

GROWTH_WARNING = 0  # the rule_id of an early-warning duty (services/compliance/todo.py)


@dataclass(frozen=True)
class ChildDuties:
    """One child's open duties (rows of my_todo, overdue first) and how bad it is."""

    child_id: int
    child_name: str
    classroom_name: str | None
    duties: pd.DataFrame
    overdue: int  # duties with an ended period unmet
    missed: int  # ended periods unmet, over all duties
    first_due: date | None  # the earliest deadline among the duties
    new_record: bool  # 新建档


@dataclass(frozen=True)
class TodoCounts:
    children: int
    duties: int
    overdue: int  # duties overdue
    overdue_children: int


def classrooms(todo: pd.DataFrame) -> list[str]:
    """The classes that have duties, in the order they first appear."""
    return list(dict.fromkeys(str(c) for c in todo["classroom_name"].dropna()))


def kinds(todo: pd.DataFrame) -> dict[int, str]:
    """rule id → rule name for the kinds of duty in the list (rule id order: the school's own)."""
    pairs = todo[["rule_id", "rule_name"]].drop_duplicates("rule_id").sort_values("rule_id")
    names = {int(r): str(n) for r, n in zip(pairs["rule_id"], pairs["rule_name"], strict=True)}
    if GROWTH_WARNING in names:  # its duties are titled by what fell; the kind is one
        names[GROWTH_WARNING] = t("growth_warning.kind")
    return names


def filter_todo(
    todo: pd.DataFrame, classroom: str | None = None, rule_id: int | None = None
) -> pd.DataFrame:
    """The duties of one class and/or one kind (None: all)."""
    keep = pd.Series(True, index=todo.index)
    if classroom is not None:
        keep &= todo["classroom_name"] == classroom
    if rule_id is not None:
        keep &= todo["rule_id"] == rule_id
    return todo[keep]


def counts(todo: pd.DataFrame) -> TodoCounts:
    """Children, duties and overdue duties (and children with one) in `todo`."""
    overdue = todo["status"] == "overdue"
    return TodoCounts(
        children=int(todo["child_id"].nunique()),
        duties=len(todo),
        overdue=int(overdue.sum()),
        overdue_children=int(todo.loc[overdue, "child_id"].nunique()),
    )


def group_by_child(todo: pd.DataFrame) -> list[ChildDuties]:
    """One group per child, worst first: most overdue duties, then an early warning (results or
    observation fell), then most missed periods, then the earliest deadline; ties by class and
    name. Within a group overdue duties come first."""
    groups = []
    for child_id, rows in todo.groupby("child_id", sort=False):
        rows = rows.assign(_late=(rows["status"] != "overdue").astype(int))
        rows = rows.sort_values(["_late", "due_by", "rule_id"], kind="stable").drop(columns="_late")
        first = rows.iloc[0]
        groups.append(
            ChildDuties(
                child_id=int(child_id),
                child_name=str(first["child_name"]),
                classroom_name=None
                if pd.isna(first["classroom_name"])
                else first["classroom_name"],
                duties=rows.reset_index(drop=True),
                overdue=int((rows["status"] == "overdue").sum()),
                missed=int(rows["missed_periods"].sum()),
                first_due=min(rows["due_by"]) if len(rows) else None,
                new_record=bool(rows["new_record"].any()),
            )
        )
    return sorted(
        groups,
        key=lambda g: (
            -g.overdue,
            not (g.duties["rule_id"] == GROWTH_WARNING).any(),
            -g.missed,
            g.first_due or date.max,
            g.classroom_name or "",
            g.child_name,
        ),
    )
