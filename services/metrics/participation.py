"""关爱活动参与: activities held and the reach among left-behind vs other children.

The counting is the care package's (services/care/participation.py); here it is scoped with
`children_in_scope` and cut at `as_of` (an activity counts in the period containing its date, and
only once that date has come). Rates are None ("—") for an empty group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from services.actor import Actor
from services.care.participation import participation_by_type, participation_summary
from services.metrics.scope import Period, Scope, Share, children_in_scope, shares

LONG_COLUMNS = ["activity_type", "group", "participants", "group_size", "share"]


@dataclass(frozen=True)
class ParticipationFigures:
    activities: int
    attendances: int
    left_behind_children: int
    left_behind_participants: int
    other_children: int
    other_participants: int

    left_behind_rate = Share("left_behind_participants", "left_behind_children")
    other_rate = Share("other_participants", "other_children")


def _args(session: Session, actor: Actor, scope: Scope, period: Period, as_of: date) -> dict:
    return {
        "date_from": period.start,
        "date_to": period.cut(as_of),
        "children": tuple(children_in_scope(session, actor, scope)),
    }


def participation_figures(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> ParticipationFigures:
    row = participation_summary(session, actor, **_args(session, actor, scope, period, as_of))
    r = row.iloc[0]
    return ParticipationFigures(
        activities=int(r["activities"]),
        attendances=int(r["attendances"]),
        left_behind_children=int(r["left_behind_children"]),
        left_behind_participants=int(r["left_behind_participants"]),
        other_children=int(r["other_children"]),
        other_participants=int(r["other_participants"]),
    )


def participation_by_activity_type(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Per activity type (care's BY_TYPE_COLUMNS), rates None for an empty group."""
    frame = participation_by_type(session, actor, **_args(session, actor, scope, period, as_of))
    for group in ("left_behind", "other"):
        frame[f"{group}_rate"] = shares(frame[f"{group}_participants"], frame[f"{group}_children"])
    return frame


def long_form(by_type: pd.DataFrame) -> pd.DataFrame:
    """The chart's shape of participation_by_activity_type: one row per type and group."""
    rows = [
        (r["activity_type"], group, int(r[f"{group}_participants"]), int(r[f"{group}_children"]),
         r[f"{group}_rate"])
        for _, r in by_type.iterrows()
        for group in ("left_behind", "other")
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=LONG_COLUMNS)
