"""Column specs: what a grid column is, and what a value typed into one of its cells must be.

A table shown in the editable grid (components/grid.py) is described by a list of `ColumnSpec`.
The grid turns the user's edits into `GridChanges` (services/records/grid_rows.py: rows by
database id + the version the user saw); a service's `save_*(session, actor, changes)` checks
them here with `check_changes` and writes them with services/rows.py (optimistic locking).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

import pandas as pd

from db.enums import Role
from locales import t
from services.actor import Actor
from services.clock import school_today
from services.errors import NotAllowed, Problem
from services.records.grid_rows import GridChanges

# Re-exported for the tests that import the grid vocabulary from here; code imports from
# grid_rows and services/rows.py.
from services.records.grid_rows import RowDelete as RowDelete
from services.records.grid_rows import RowInsert as RowInsert
from services.records.grid_rows import RowUpdate as RowUpdate
from services.rows import update_row as update_row

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0 + 2–3 digits, a hyphen, 7–8 digits, optional "-extension" (0851-12345678).
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
STUDENT_NO_RE = re.compile(r"^[A-Za-z0-9]{6,32}$")


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"
    SELECT = "select"
    MULTISELECT = "multiselect"


# The width of a column whose spec names none (before widening to fit its header).
DEFAULT_WIDTHS = {
    ColumnType.TEXT: 120,
    ColumnType.INT: 80,
    ColumnType.FLOAT: 80,
    ColumnType.DATE: 110,
    ColumnType.BOOL: 70,
    ColumnType.SELECT: 110,
    ColumnType.MULTISELECT: 160,
}


def text_width(text: str) -> int:
    """Pixels a grid cell needs to show `text` whole (身高(cm), not 身高(cm…): a Chinese or
    full-width character is about twice as wide as a Latin one, plus the cell's padding and the
    header's sort mark."""
    return sum(15 if ord(ch) > 0x2E80 else 8 for ch in text) + 36


# A validator gets the coerced, non-empty value and returns a locale key (the reason) or None.
Validator = Callable[[Any], str | None]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a grid table."""

    field: str
    label_key: str
    type: ColumnType = ColumnType.TEXT
    # Stored values for select/multiselect; labels come from `option_labels` or locales.
    options: tuple[str, ...] = ()
    # Locale key prefix for option labels, e.g. "enum.LeftBehindType."; None = show the value.
    option_prefix: str | None = None
    required: bool = False
    validator: Validator | None = None
    # None = every role that may edit (see) the table at all.
    edit_roles: frozenset[Role] | None = None
    view_roles: frozenset[Role] | None = None
    width: int | None = None
    # Shown read-only, never saved (e.g. a completeness figure, a class name).
    computed: bool = False
    min_value: float | None = None
    max_value: float | None = None
    group: str | None = None
    # A number column's display format (st.column_config.NumberColumn's), e.g. "accounting"
    # for money: 1,500.00 as everywhere else an amount is shown.
    number_format: str | None = None

    @property
    def label(self) -> str:
        return t(self.label_key)

    @property
    def header(self) -> str:
        """The column's header: its label, starred when a value is required."""
        return self.label + (" *" if self.required else "")

    @property
    def display_width(self) -> int:
        """The grid column's width in pixels: the spec's (or its type's default), widened so the
        header shows whole in the current language."""
        return max(self.width or DEFAULT_WIDTHS[self.type], text_width(self.header))

    def option_label(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return t(f"{self.option_prefix}{value}") if self.option_prefix else str(value)

    def may_see(self, role: Role) -> bool:
        return self.view_roles is None or role in self.view_roles

    def may_edit(self, role: Role) -> bool:
        return not self.computed and (self.edit_roles is None or role in self.edit_roles)

    @classmethod
    def for_enum(
        cls,
        field: str,
        label_key: str,
        values: type[Enum],
        kind: ColumnType = ColumnType.SELECT,
        **kw: Any,
    ) -> ColumnSpec:
        """A select (or multiselect) column of an enum's values, labelled enum.<Enum>.<value>."""
        options = tuple(m.value for m in values)
        prefix = f"enum.{values.__name__}."
        return cls(field, label_key, kind, options=options, option_prefix=prefix, **kw)


def read_only_columns(prefix: str, widths: dict[str, int]) -> list[ColumnSpec]:
    """Computed columns that say whose row it is (姓名, 留守类型…), in the order of `widths`
    (field: px), each labelled `<prefix>.col.<field>`."""
    return [
        ColumnSpec(field, f"{prefix}.col.{field}", computed=True, width=width)
        for field, width in widths.items()
    ]


# ---- validators -------------------------------------------------------------------------------


def phone(value: Any) -> str | None:
    """A mobile number (^1[3-9]\\d{9}$) or a landline written 0851-12345678."""
    text = str(value).strip()
    return None if MOBILE_RE.match(text) or LANDLINE_RE.match(text) else "spec.reason.phone"


def not_in_future(value: Any) -> str | None:
    return "spec.reason.future" if value > school_today() else None


def student_no(value: Any) -> str | None:
    return None if STUDENT_NO_RE.match(str(value)) else "spec.reason.student_no"


# ---- coercion and checks ----------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return isinstance(value, list | tuple) and not value


def _reverse_options(spec: ColumnSpec) -> dict[str, str]:
    """Accept both the stored value and its label (pasting from Excel brings labels)."""
    lookup = {str(v): str(v) for v in spec.options}
    lookup.update({spec.option_label(v): str(v) for v in spec.options})
    return lookup


def coerce(spec: ColumnSpec, raw: Any) -> tuple[Any, str | None]:
    """(value in the column's Python type, None) or (raw, reason key)."""
    if is_empty(raw):
        return None, None
    try:
        if spec.type == ColumnType.TEXT:
            return str(raw).strip(), None
        if spec.type == ColumnType.INT:
            number = float(raw)
            if not number.is_integer():
                return raw, "spec.reason.int"
            return int(number), None
        if spec.type == ColumnType.FLOAT:
            return float(raw), None
        if spec.type == ColumnType.DATE:
            return _to_date(raw), None
        if spec.type == ColumnType.BOOL:
            return _to_bool(raw), None
        if spec.type == ColumnType.SELECT:
            value = _reverse_options(spec).get(str(raw).strip())
            return (value, None) if value is not None else (raw, "spec.reason.option")
        if spec.type == ColumnType.MULTISELECT:
            items = raw if isinstance(raw, list | tuple) else re.split(r"[,，、;；\s]+", str(raw))
            lookup = _reverse_options(spec)
            values = [lookup.get(str(i).strip()) for i in items if str(i).strip()]
            return (values, None) if None not in values else (raw, "spec.reason.option")
    except (TypeError, ValueError):
        return raw, f"spec.reason.{spec.type.value}"
    return raw, None


def _to_date(raw: Any) -> date:
    if isinstance(raw, datetime | pd.Timestamp):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "√", "✓"}:
        return True
    if text in {"0", "false", "no", "n", "否", "×"}:
        return False
    raise ValueError(text)


def check_value(spec: ColumnSpec, raw: Any) -> tuple[Any, str | None]:
    """Coerce, then required / range / options / validator; returns (value, reason key or None)."""
    value, reason = coerce(spec, raw)
    if reason:
        return value, reason
    if value is None:
        return None, "spec.reason.required" if spec.required else None
    if spec.min_value is not None and value < spec.min_value:
        return value, "spec.reason.range"
    if spec.max_value is not None and value > spec.max_value:
        return value, "spec.reason.range"
    if spec.validator is not None:
        return value, spec.validator(value)
    return value, None


def problem(
    row: str, spec: ColumnSpec | str, value: Any, reason_key: str, **params: Any
) -> Problem:
    """A Problem with the column's label and the reason's locale key."""
    column = spec.label if isinstance(spec, ColumnSpec) else spec
    shown = "" if is_empty(value) else value
    if isinstance(shown, date):
        shown = shown.isoformat()
    return Problem(row=row, column=column, value=shown, reason=reason_key, params=params)


def check_changes(specs: Iterable[ColumnSpec], actor: Actor, changes: GridChanges) -> list[Problem]:
    """Coerce every changed value in place and list what is wrong.

    Raises NotAllowed when a change touches a column the actor may not edit (the grid disables
    those, so this is a forged or stale request, not a typo).
    """
    by_field = {s.field: s for s in specs}
    problems: list[Problem] = []

    def check_row(label: str, values: dict[str, Any], is_new: bool) -> None:
        for name in list(values):
            spec = by_field.get(name)
            if spec is None or spec.computed:
                values.pop(name)
                continue
            if not spec.may_edit(actor.role):
                if is_new and is_empty(values[name]):
                    values.pop(name)
                    continue
                raise NotAllowed(f"column {name}")
            values[name], reason = check_value(spec, values[name])
            if reason:
                problems.append(problem(label, spec, values[name], reason))
        if is_new:
            for spec in by_field.values():
                if spec.required and not spec.computed and spec.field not in values:
                    problems.append(problem(label, spec, None, "spec.reason.required"))

    for update in changes.updates:
        check_row(update.label, update.values, is_new=False)
    for insert in changes.inserts:
        check_row(insert.label, insert.values, is_new=True)
    return problems
