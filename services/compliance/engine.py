"""Contact compliance (联系达标率, DESIGN.md §6): the figures, computed in the database.

The definitions in plain words are docs/compliance.md "Definitions"; in short:

- A *period* of a rule is a calendar month, a Monday–Sunday week, or a term phase (期初/期中/期末),
  clipped to the term's dates. A period with no school day (all of it a holiday) is not a period.
- A (child, rule, period) is *due* when the period has started (start ≤ as_of), the child belongs to
  the rule (a left-behind child, or a key child for key-only rules) and was enrolled for the whole
  period (enrolled_on ≤ period start, left_on ≥ period end).
- It is *met* when a contact with the child, whose counterpart and channel are in the rule's sets,
  falls in the period and says something (a summary or an outcome; 未接通 does not count).
  *Overdue*: due, not met, and the period has ended. *Pending*: due, not met, and the period is
  still running. Rate = met / due.
- The responsible teacher is the class's head teacher, or for paired-teacher rules the child's
  paired teacher of that term (the head teacher when the child has no pair).

The parts, each with one reason to change: rule_periods.py (rules × periods as a VALUES table),
due.py (the due rows and their teacher), met_exists.py (SQLite: one index-only look-up per due
row) and met_summaries.py (PostgreSQL: grouped bit_or summaries). This module is the public
API: the grouped table of counts, and the row list for short lists such as 我的待办. Contacts
are never loaded into Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from db.enums import Cadence
from db.models import Child, Classroom, ContactRule, School, Term, User
from services.actor import Actor
from services.clock import school_today
from services.compliance.due import DueQuery, due_rows
from services.masking import mask_name

COUNT_COLUMNS = ["due", "met", "overdue", "pending", "rate"]
# by-key -> output columns (ids first, then the display name joined afterwards).
BY_COLUMNS: dict[str, list[str]] = {
    "school": ["school_id", "school_name"],
    "term": ["term_id", "term_name"],
    "rule": ["rule_id", "rule_name"],
    "month": ["month"],
    "period": ["period_start", "period_end"],
    "grade": ["grade"],
    "classroom": ["classroom_id", "classroom_name"],
    "teacher": ["teacher_id", "teacher_name"],
    "child": ["child_id", "child_name"],
}
ROW_COLUMNS = [
    "child_id",
    "child_name",
    "classroom_name",
    "rule_id",
    "rule_name",
    "counterparts",
    "channels",
    "period_start",
    "period_end",
    "met",
    "overdue",
    "teacher_id",
]


def compliance_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    by: Sequence[str] = ("rule",),
    grade: int | None = None,
    classroom_id: int | None = None,
    teacher_id: int | None = None,
    child_id: int | None = None,
    *,
    school_id: int | None = None,
    as_of: date | None = None,
    cadence: Cadence | None = None,
) -> pd.DataFrame:
    """Due, met, overdue, pending and rate for [start, end], grouped `by` any of BY_COLUMNS' keys
    (only the rules of `cadence` when given).

    Columns: the by-columns (e.g. rule → rule_id, rule_name), then due, met, overdue, pending, rate.
    `by=()` gives one total row. Periods are counted when they overlap [start, end]; in a by-month
    breakdown a period belongs to the month it ends in (cut at `end`).
    """
    unknown = [key for key in by if key not in BY_COLUMNS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}")
    out_columns = [c for key in by for c in BY_COLUMNS[key]] + COUNT_COLUMNS
    query = DueQuery(
        start,
        end,
        as_of or school_today(),
        grade=grade,
        classroom_id=classroom_id,
        teacher_id=teacher_id,
        child_id=child_id,
        school_id=school_id,
        with_teacher="teacher" in by,
        cadence=cadence,
    )
    rows = due_rows(session, actor, query)
    if rows is None:
        return _empty_total(out_columns, by)
    detail = rows.subquery("due_rows")
    keys = [_key_column(detail, key) for key in by]
    key_cols = [c for group in keys for c in group]
    aggregate = (
        select(
            *key_cols,
            func.count().label("due"),
            func.sum(detail.c.met).label("met"),
            func.sum(case((and_(detail.c.met == 0, detail.c.closed == 1), 1), else_=0)).label(
                "overdue"
            ),
        )
        .group_by(*key_cols)
        .subquery("agg")
    )
    frame = _with_names(session, aggregate, by)
    if frame.empty:
        return _empty_total(out_columns, by)
    for name in ("due", "met", "overdue"):
        frame[name] = frame[name].fillna(0).astype(int)
    frame["pending"] = frame["due"] - frame["met"] - frame["overdue"]
    frame["rate"] = (frame["met"] / frame["due"]).where(frame["due"] > 0)
    for name in ("period_start", "period_end"):
        if name in frame:
            frame[name] = frame[name].map(_to_date)
    if actor.sees_masked and "child_name" in frame:
        frame["child_name"] = frame["child_name"].map(mask_name)
    return frame[out_columns].reset_index(drop=True)


def _key_column(detail: Any, key: str) -> list[Any]:
    if key == "period":
        return [detail.c.period_start, detail.c.period_end]
    return [detail.c[BY_COLUMNS[key][0]]]


_NAME_SOURCES: dict[str, tuple[Any, Any, Any]] = {
    "school": (School, School.id, School.name),
    "term": (Term, Term.id, Term.name),
    "rule": (ContactRule, ContactRule.id, ContactRule.name),
    "classroom": (Classroom, Classroom.id, Classroom.name),
    "teacher": (User, User.id, User.display_name),
    "child": (Child, Child.id, Child.name),
}


def _with_names(session: Session, aggregate: Any, by: Sequence[str]) -> pd.DataFrame:
    """Run the aggregate, joining display names for the id columns and ordering sensibly."""
    columns: list[Any] = list(aggregate.c)
    query = select(*columns).select_from(aggregate)
    order: list[Any] = []
    for key in by:
        if key in _NAME_SOURCES:
            entity, id_col, name_col = _NAME_SOURCES[key]
            alias_target = entity.__table__.alias(f"n_{key}")
            id_alias = alias_target.c[id_col.key]
            name_alias = alias_target.c[name_col.key]
            query = query.outerjoin(alias_target, id_alias == aggregate.c[BY_COLUMNS[key][0]])
            query = query.add_columns(name_alias.label(BY_COLUMNS[key][1]))
            if key == "rule":
                order.append(alias_target.c.sort_order)
            if key == "classroom":
                order.extend([alias_target.c.grade, alias_target.c.number])
            order.append(name_alias if key != "classroom" else id_alias)
        else:
            order.extend(aggregate.c[c] for c in BY_COLUMNS[key])
    result = session.execute(query.order_by(*order))
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def _empty_total(out_columns: list[str], by: Sequence[str]) -> pd.DataFrame:
    if by:
        return pd.DataFrame(columns=out_columns)
    return pd.DataFrame([{"due": 0, "met": 0, "overdue": 0, "pending": 0, "rate": None}])


def compliance_rows(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    teacher_id: int | None = None,
    classroom_id: int | None = None,
    only_unmet: bool = True,
    as_of: date | None = None,
) -> pd.DataFrame:
    """One row per due (child, rule, period) with status, for short lists such as 我的待办.

    Columns: child_id, child_name, classroom_name, rule_id, rule_name, counterparts, channels,
    period_start, period_end, met (bool), overdue (bool), teacher_id.
    """
    query = DueQuery(
        start, end, as_of or school_today(), teacher_id=teacher_id, classroom_id=classroom_id
    )
    rows = due_rows(session, actor, query)
    if rows is None:
        return pd.DataFrame(columns=ROW_COLUMNS)
    detail = rows.subquery("due_rows")
    listing = (
        select(
            detail.c.child_id,
            Child.name.label("child_name"),
            Classroom.name.label("classroom_name"),
            detail.c.rule_id,
            ContactRule.name.label("rule_name"),
            ContactRule.counterparts,
            ContactRule.channels,
            detail.c.period_start,
            detail.c.period_end,
            detail.c.met,
            detail.c.closed,
            detail.c.teacher_id,
        )
        .join(Child, Child.id == detail.c.child_id)
        .outerjoin(Classroom, Classroom.id == detail.c.classroom_id)
        .join(ContactRule, ContactRule.id == detail.c.rule_id)
        .order_by(Classroom.grade, Classroom.number, Child.name, ContactRule.sort_order)
    )
    if only_unmet:
        listing = listing.where(detail.c.met == 0)
    records = []
    for row in session.execute(listing).mappings():
        record = dict(row)
        record["met"] = bool(record["met"])
        record["overdue"] = not record["met"] and bool(record.pop("closed"))
        record["period_start"] = _to_date(record["period_start"])
        record["period_end"] = _to_date(record["period_end"])
        records.append(record)
    frame = pd.DataFrame(records, columns=ROW_COLUMNS)
    if actor.sees_masked:
        frame["child_name"] = frame["child_name"].map(mask_name)
    return frame


def _to_date(value: object) -> object:
    return date.fromisoformat(value) if isinstance(value, str) else value
