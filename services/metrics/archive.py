"""建档率 (一人一档): complete archives among the enrolled left-behind children in scope.

"Complete" is the records package's one rule (services/records/archive.py); this module only
counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Child
from services.actor import Actor
from services.metrics.scope import IS_LEFT_BEHIND, Period, Scope, Share, children_in_scope, count_if
from services.records.archive import complete_condition, gap_conditions


@dataclass(frozen=True)
class ArchiveFigures:
    left_behind: int  # archives due: every enrolled left-behind child
    complete: int

    @property
    def incomplete(self) -> int:
        return self.left_behind - self.complete

    # None ("—") when there is no left-behind child: an empty scope is not 100%
    rate = Share("complete", "left_behind")


def archive_figures(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> ArchiveFigures:
    row = session.execute(
        select(func.count(Child.id), count_if(complete_condition() == 1)).where(
            *children_in_scope(session, actor, scope), IS_LEFT_BEHIND
        )
    ).one()
    return ArchiveFigures(left_behind=int(row[0]), complete=int(row[1]))


def archive_missing_fields(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> pd.DataFrame:
    """How many enrolled left-behind children have each gap (a required field empty, or a bad
    phone; the records package's `gap_conditions`): field, missing (> 0), most missed first."""
    gaps = gap_conditions()
    fields = list(gaps)
    row = session.execute(
        select(*(count_if(gaps[f]) for f in fields)).where(
            *children_in_scope(session, actor, scope), IS_LEFT_BEHIND
        )
    ).one()
    frame = pd.DataFrame({"field": fields, "missing": [int(v) for v in row]})
    frame = frame[frame["missing"] > 0].sort_values("missing", ascending=False, kind="stable")
    return frame.reset_index(drop=True)
