"""The workbook (.xlsx): roster with contact-card fields, contacts, compliance by class and month,
activities and participation, pairings. Frames in, bytes out; masking is applied by the caller."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import pandas as pd

from db.enums import ActivityType, ContactChannel, Counterpart, Gender, LeftBehindType
from locales import enum_label, t
from services.reports.xlsx import Progress, frames_to_xlsx

ENUM_COLUMNS = {
    "gender": Gender,
    "left_behind_type": LeftBehindType,
    "channel": ContactChannel,
    "counterpart": Counterpart,
    "activity_type": ActivityType,
}
BOOL_COLUMNS = {"is_key", "attended", "follow_up_needed"}
RATE_COLUMNS = {"rate", "left_behind_rate", "other_rate"}
# Where a workbook being built reports its rows (set by `reporting_progress`, e.g. a page's bar).
_progress: ContextVar[Progress | None] = ContextVar("workbook_progress", default=None)


@contextmanager
def reporting_progress(progress: Progress) -> Iterator[None]:
    """Within the block, a workbook being built calls `progress(rows written, rows in all)`."""
    token = _progress.set(progress)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass
class WorkbookFrames:
    roster: pd.DataFrame
    contacts: pd.DataFrame
    compliance: pd.DataFrame  # unit, month, due, met, overdue, pending, rate
    activities: pd.DataFrame  # services/participation BY_ACTIVITY_COLUMNS
    participation: pd.DataFrame
    pairings: pd.DataFrame


def column_label(key: str) -> str:
    """The Chinese header of a column key (report labels first, then the child field names)."""
    label = t(f"reports.col.{key}")
    return label if label != f"reports.col.{key}" else t(f"import.field.{key}")


def present(frame: pd.DataFrame, drop: tuple[str, ...] = ("id",)) -> pd.DataFrame:
    """Enum values → Chinese labels, flags → 是/否, headers → Chinese; drops internal ids."""
    shown = frame.drop(columns=[c for c in drop if c in frame.columns]).copy()
    for column, enum_cls in ENUM_COLUMNS.items():
        if column in shown:
            labels = {m: enum_label(m, enum_cls) for m in enum_cls}
            labels.update({m.value: label for m, label in labels.items()})
            shown[column] = shown[column].map(labels).fillna("")
    yes_no = {True: t("import.yes"), False: t("import.no")}
    for column in BOOL_COLUMNS & set(shown.columns):
        shown[column] = shown[column].map(yes_no).fillna(t("import.no"))
    shown = shown.astype(object).where(shown.notna(), None)
    return shown.rename(columns={c: column_label(c) for c in shown.columns})


def build_workbook(
    frames: WorkbookFrames, title_lines: list[str], progress: Progress | None = None
) -> bytes:
    """The six sheets, streamed; `progress` (else the one of `reporting_progress`) is told the
    rows written."""
    activities = frames.activities.drop(columns=["activity_id"], errors="ignore")
    sheets = [
        (t("reports.sheet.roster"), present(frames.roster)),
        (t("reports.sheet.contacts"), present(frames.contacts)),
        (t("reports.sheet.compliance"), present(frames.compliance)),
        (t("reports.sheet.activities"), present(activities)),
        (t("reports.sheet.participation"), present(frames.participation)),
        (t("reports.sheet.pairings"), present(frames.pairings)),
    ]
    percent = frozenset(column_label(c) for c in RATE_COLUMNS)
    return frames_to_xlsx(sheets, title_lines, percent, progress or _progress.get())
