"""What makes a child's archive complete (建档): one rule, as a Python check of one child and as
SQL for counting, so the archive page, the dashboard and the report agree.

A field keeps the archive incomplete when it is required and empty, or when it is a phone that is
filled in but not valid (services/records/specs.py `phone`: a mobile `^1[3-9]\\d{9}$` or a landline
written 0851-12345678). Required: ARCHIVE_BASE_FIELDS for every child, and the away parents' name,
phone and work province by left-behind type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, true

from db.enums import LeftBehindType
from db.models import Child
from locales import t
from services.records.child_columns import (
    ARCHIVE_BASE_FIELDS,
    AWAY_PARENTS,
    CHILD_COLUMNS,
    PARENT_FIELDS,
)
from services.records.specs import LANDLINE_RE, MOBILE_RE, is_empty, phone

PHONE_FIELDS = tuple(s.field for s in CHILD_COLUMNS if s.validator is phone)


def _required_for() -> dict[str, frozenset[LeftBehindType]]:
    """Field → the left-behind types for which it is required (fields in checking order)."""
    required = {f: frozenset(LeftBehindType) for f in ARCHIVE_BASE_FIELDS}
    for who in ("father", "mother"):
        types = frozenset(lbt for lbt, away in AWAY_PARENTS.items() if who in away)
        required |= {f"{who}_{part}": types for part in PARENT_FIELDS}
    for field in PHONE_FIELDS:
        required.setdefault(field, frozenset())
    return required


REQUIRED_FOR = _required_for()


@dataclass(frozen=True)
class Completeness:
    complete: int
    total: int

    @property
    def rate(self) -> float | None:
        """建档率; None when no child is selected (shown as "—", never as 100 %)."""
        return self.complete / self.total if self.total else None


def missing_fields(child: Child) -> list[str]:
    """Fields that keep this child's archive incomplete: empty where required, or a bad phone."""
    lbt = LeftBehindType(child.left_behind_type)
    gaps = []
    for field, types in REQUIRED_FOR.items():
        value = getattr(child, field)
        if is_empty(value):
            if lbt in types:
                gaps.append(field)
        elif field in PHONE_FIELDS and phone(value) is not None:
            gaps.append(field)
    return gaps


def missing_labels(child: Child) -> list[str]:
    """The gaps in words: "监护人电话", or "监护人电话（号码有误）" for a filled but bad phone."""
    labels = []
    for field in missing_fields(child):
        label = t(f"children.col.{field.removesuffix('_id')}")
        if not is_empty(getattr(child, field)):
            label = t("children.invalid_value", label=label)
        labels.append(label)
    return labels


def _filled(column: Any) -> ColumnElement[bool]:
    if column.type.python_type is str:
        return and_(column.is_not(None), func.trim(column) != "")
    return column.is_not(None)


def phone_valid(column: Any) -> ColumnElement[bool]:
    """SQL: the phone column holds a valid number (the patterns of services/records/specs.py)."""
    text = func.trim(column)
    return or_(text.regexp_match(MOBILE_RE.pattern), text.regexp_match(LANDLINE_RE.pattern))


def gap_conditions() -> dict[str, ColumnElement[bool]]:
    """Field → SQL condition "this field keeps the child's archive incomplete" (missing_fields)."""
    gaps = {}
    for field, types in REQUIRED_FOR.items():
        column = getattr(Child, field)
        if types == frozenset(LeftBehindType):
            required: ColumnElement[bool] = true()
        elif types:
            required = Child.left_behind_type.in_(sorted(types))
        else:
            required = false()
        gap = and_(~_filled(column), required)
        if field in PHONE_FIELDS:
            gap = or_(gap, and_(_filled(column), ~phone_valid(column)))
        gaps[field] = gap
    return gaps


def complete_condition() -> ColumnElement[int]:
    """SQL: 1 when the child's archive is complete, else 0 (the same rule as missing_fields)."""
    return case((or_(*gap_conditions().values()), 0), else_=1)
