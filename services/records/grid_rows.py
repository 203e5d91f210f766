"""What the editable grid and a record service exchange, as plain data.

The service hands the grid a `Page` of rows (each with its database `id` and the `version` it
had); the grid hands back `GridChanges` by id with the version the user saw; the service
answers with a `SaveResult`. Writing the changes is services/rows.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    """One page of rows: `frame` has an `id` and a `version` column plus the spec fields."""

    frame: pd.DataFrame
    total: int
    # True when `total` is only a lower bound (the service stopped counting, see count_capped).
    capped: bool = False


def count_capped(session: Session, query: Any, cap: int) -> tuple[int, bool]:
    """(rows of `query`, capped?) counting at most cap + 1 rows: big lists page in constant time."""
    limited = query.with_only_columns(literal(1)).order_by(None).limit(cap + 1).subquery()
    count = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(count, cap), count > cap


@dataclass
class RowUpdate:
    id: int
    version: int
    label: str
    values: dict[str, Any]


@dataclass
class RowInsert:
    label: str
    values: dict[str, Any]


@dataclass
class RowDelete:
    id: int
    version: int
    label: str


@dataclass
class GridChanges:
    """What the user changed in the grid, by database id, with the version each row had."""

    updates: list[RowUpdate] = field(default_factory=list)
    inserts: list[RowInsert] = field(default_factory=list)
    deletes: list[RowDelete] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.updates or self.inserts or self.deletes)


@dataclass(frozen=True)
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
