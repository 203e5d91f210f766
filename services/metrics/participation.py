"""关爱活动参与: activities held and the reach among left-behind vs other children.

The counting is the care package's (services/care/participation.py); here it is scoped with
`children_in_scope` and cut at `as_of` (an activity counts in the period containing its date, and
only once that date has come). Rates are None ("—") for an empty group. Whole schools over their
term so far are read from the county facts (services/metrics/summary_facts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from db.models import Activity, Child
from services.actor import Actor
from services.care.participation import participation_by_type, participation_summary
from services.care.participation_counts import participant_counts
from services.metrics.scope import Period, Scope, Share, children_in_scope, shares
from services.metrics.summary import answers, stale_schools
from services.metrics.summary_facts import (
    Counts,
    add_counts,
    stored_participation,
    term_windows,
)
from services.scope import school_ids_in_view

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


def _args(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date, key: Any
) -> dict:
    """care's arguments, with `counts` from the county facts when they can answer."""
    args = {
        "date_from": period.start,
        "date_to": period.cut(as_of),
        "children": tuple(children_in_scope(session, actor, scope)),
    }
    if answers(actor, scope, ()):
        args["counts"] = _whole_schools(session, actor, key, args)
    return args


def _whole_schools(session: Session, actor: Actor, key: Any, args: dict) -> Counts:
    """participant_counts over whole schools: the county facts for the fresh schools whose term
    starts on the period's first day, counted live for the others (services/metrics/
    summary_facts.py)."""
    start, last = args["date_from"], args["date_to"]
    in_view = school_ids_in_view(session, actor)
    stale = stale_schools(session, in_view)
    terms = term_windows(session, [s for s in in_view if s not in stale], start, last)
    stored = stored_participation(session, list(terms.values()), last, key is not None)
    live = [s for s in in_view if s not in terms]
    if not live:
        return stored
    children = (*args["children"], Child.school_id.in_(live))
    return add_counts(stored, participant_counts(session, actor, key, start, last, children))


def participation_figures(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> ParticipationFigures:
    row = participation_summary(session, actor, **_args(session, actor, scope, period, as_of, None))
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
    args = _args(session, actor, scope, period, as_of, Activity.activity_type)
    frame = participation_by_type(session, actor, **args)
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
