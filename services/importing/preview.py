"""The import's dry run and bad rows as tables for the page, and the downloadable error sheet."""

from __future__ import annotations

from enum import Enum

import pandas as pd

from locales import enum_label, t
from services.errors import Problem
from services.importing.plan import FieldChange, ImportPlan, PlannedRow
from services.reports.xlsx import frames_to_xlsx


def plan_frame(plan: ImportPlan) -> pd.DataFrame:
    """The preview table: row, action, child, class, the changes per field (those the import
    inferred itself are marked) and a note on what was inferred."""
    records = [
        {
            t("import.col.row"): r.row,
            t("import.col.action"): t(f"import.action.{r.action}"),
            t("import.col.name"): r.name,
            t("import.col.classroom"): r.classroom,
            t("import.col.changes"): "；".join(
                _change(c, c.field in r.inferred) for c in r.changes
            ),
            t("import.col.note"): _note(r),
        }
        for r in plan.rows
    ]
    return pd.DataFrame(records, columns=_plan_columns())


def _change(change: FieldChange, inferred: bool) -> str:
    text = f"{t(f'import.field.{change.field}')}: {_shown(change.before)} → {_shown(change.after)}"
    return text + t("import.inferred_mark") if inferred else text


def _note(row: PlannedRow) -> str:
    if not row.inferred:
        return ""
    relation = row.values.get("guardian_relation") or t("import.home_parent")
    return t("import.note.inferred_guardian", relation=relation)


def _plan_columns() -> list[str]:
    keys = ("row", "action", "name", "classroom", "changes", "note")
    return [t(f"import.col.{k}") for k in keys]


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Every bad row as a table: row number, column, value, reason (also the error sheet)."""
    keys = ("row", "column", "value", "reason")
    records = [
        {
            t("import.col.row"): int(p.row) if str(p.row).isdigit() else p.row,
            t("import.col.column"): p.column,
            t("import.col.value"): _shown(p.value),
            t("import.col.reason"): p.message,
        }
        for p in problems
    ]
    return pd.DataFrame(records, columns=[t(f"import.col.{k}") for k in keys])


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return enum_label(value)
    if isinstance(value, bool):
        return t("import.yes") if value else t("import.no")
    if isinstance(value, list):
        return "、".join(t(f"enum.KeyReason.{x}") for x in value)
    return str(value)


def error_sheet(problems: list[Problem]) -> bytes:
    """The bad rows as a downloadable .xlsx (row, column, value, reason)."""
    return frames_to_xlsx([(t("import.error_sheet_name"), problems_frame(problems))], [])
