"""The import's dry run and bad rows as tables for the page, and the downloadable error sheet."""

from __future__ import annotations

from enum import Enum

import pandas as pd

from locales import enum_label, t
from services.errors import Problem
from services.importing.plan import ImportPlan
from services.reports.xlsx import frames_to_xlsx


def plan_frame(plan: ImportPlan) -> pd.DataFrame:
    """The preview table: row, action, child, class and the changes per field."""
    records = [
        {
            t("import.col.row"): r.row,
            t("import.col.action"): t(f"import.action.{r.action}"),
            t("import.col.name"): r.name,
            t("import.col.classroom"): r.classroom,
            t("import.col.changes"): "；".join(
                f"{t(f'import.field.{c.field}')}: {_shown(c.before)} → {_shown(c.after)}"
                for c in r.changes
            ),
        }
        for r in plan.rows
    ]
    return pd.DataFrame(records, columns=_plan_columns())


def _plan_columns() -> list[str]:
    return [t(f"import.col.{k}") for k in ("row", "action", "name", "classroom", "changes")]


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
