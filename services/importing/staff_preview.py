"""The staff import's dry run as a table for the page: one row per account as it will be."""

from __future__ import annotations

from enum import Enum

import pandas as pd

from locales import enum_label, t
from services.importing.plan import FieldChange
from services.importing.staff import StaffPlan, StaffRow

COLUMNS = ("row", "action", "name", "username", "role", "phone", "head_of", "taught", "changes",
           "note")  # fmt: skip


def staff_plan_frame(plan: StaffPlan) -> pd.DataFrame:
    """Row, action, name, username, role (marked when inferred), mobile, classes, the changes
    of an existing account and notes."""
    records = [
        {
            t("staff.col.row"): r.row,
            t("staff.col.action"): t(f"import.action.{r.action}"),
            t("staff.col.name"): r.name,
            t("staff.col.username"): r.username,
            t("staff.col.role"): _role(r),
            t("staff.col.phone"): r.phone or "",
            t("staff.col.head_of"): "、".join(r.head_of),
            t("staff.col.taught"): "、".join(r.taught),
            t("staff.col.changes"): "；".join(_change(c) for c in r.changes),
            t("staff.col.note"): "；".join(t(n) for n in r.notes),
        }
        for r in plan.rows
    ]
    return pd.DataFrame(records, columns=[t(f"staff.col.{c}") for c in COLUMNS])


def _role(row: StaffRow) -> str:
    label = enum_label(row.role)
    return label + t("import.inferred_mark") if "role" in row.inferred else label


def _change(change: FieldChange) -> str:
    return f"{t(f'staff.field.{change.field}')}: {_shown(change.before)} → {_shown(change.after)}"


def _shown(value: object) -> str:
    if value is None or value == "":
        return t("staff.none")
    if isinstance(value, Enum):
        return enum_label(value)
    return str(value)
