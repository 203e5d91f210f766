"""The results import's dry run as a table for the page: one row per child of the sheet."""

from __future__ import annotations

import pandas as pd

from locales import t
from services.importing.plan import FieldChange
from services.importing.results import ResultsPlan

COLUMNS = ("row", "action", "name", "student_no", "changes")


def results_plan_frame(plan: ResultsPlan) -> pd.DataFrame:
    """Row, action, child, 学籍号, and each subject's change (语文: 88 → 92)."""
    records = [
        {
            t("growth_results.import.col.row"): r.row,
            t("growth_results.import.col.action"): t(f"import.action.{r.action}"),
            t("growth_results.import.col.name"): r.name,
            t("growth_results.import.col.student_no"): r.student_no,
            t("growth_results.import.col.changes"): "；".join(_change(c) for c in r.changes),
        }
        for r in plan.rows
    ]
    return pd.DataFrame(records, columns=[t(f"growth_results.import.col.{c}") for c in COLUMNS])


def _change(change: FieldChange) -> str:
    if change.before is None:
        return f"{change.field} {change.after}{t('growth_results.import.new_value')}"
    return f"{change.field} {change.before} → {change.after}"
