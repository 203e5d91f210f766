"""联系达标: due / met / overdue / open and the rate, over the compliance engine's due rows.

The engine (services/compliance) says which (child, rule, rule-period) is due and whether it is
met. Here those rows are counted for a Scope and a Period, one way for every page:

- a rule-period belongs to the report period that contains its **end** (a week from 30 Nov to
  6 Dec is December's), so months add up to the term and no row counts twice;
- it has *ended* when its end is before `as_of`; *overdue* = ended and not met; *open* = still
  running and not yet met;
- the **rate is over ended rule-periods only** (DESIGN.md §6): a month that has just begun is
  progress, never a failure; nothing ended → rate None, shown "—", and no conclusion is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from services.actor import Actor
from services.compliance.engine import BY_COLUMNS, compliance_table
from services.metrics import summary
from services.metrics.scope import Period, Scope, last_ended_month, month_of, share, shares

COUNTS = ["due", "met", "overdue", "open", "ended_due", "ended_met"]
# summarise()'s keys: the engine's, and a rule as the county reads it — every school has its own
# rules, and those of one name are one rule (met and due summed over the schools, then the rate).
ROLLUP_COLUMNS = {**BY_COLUMNS, "rule_name": ["rule_name"]}
TARGET = 0.9  # the bureau's target rate: units below it are listed as problems


@dataclass(frozen=True)
class ComplianceFigures:
    due: int  # every rule-period that has started
    met: int
    overdue: int  # ended, not met
    open: int  # running, not met yet
    ended_due: int
    ended_met: int

    @property
    def rate(self) -> float | None:
        """met / due over ended rule-periods; None when none has ended."""
        return share(self.ended_met, self.ended_due)

    @property
    def running_due(self) -> int:
        return self.due - self.ended_due

    @property
    def running_met(self) -> int:
        return self.met - self.ended_met

    @classmethod
    def of(cls, frame: pd.DataFrame) -> ComplianceFigures:
        """The totals of a compliance_frame (any grouping)."""
        return cls(*(int(frame[c].sum()) if len(frame) else 0 for c in COUNTS))


def rule_periods(
    session: Session,
    actor: Actor,
    scope: Scope,
    period: Period,
    as_of: date,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per group × rule-period ending in `period`: the `by` columns, period_start,
    period_end, month (of the end), ended, and COUNTS."""
    keys = tuple(dict.fromkeys(k for k in by if k not in ("period", "month")))
    if summary.answers(actor, scope, keys):  # whole schools: the stored county summary
        detail = summary.summary_table(
            session, actor, period.start, period.end, (*keys, "period"), as_of
        )
    else:
        detail = compliance_table(
            session,
            actor,
            period.start,
            period.end,
            by=(*keys, "period"),
            grade=scope.grade,
            classroom_id=scope.classroom_id,
            as_of=as_of,
        )
    in_period = detail["period_end"].map(lambda d: d <= period.end).astype(bool)
    detail = detail[in_period].copy()
    ended = detail["period_end"].map(lambda d: d < as_of).astype(bool)
    detail["month"] = detail["period_end"].map(lambda d: d.strftime("%Y-%m"))
    detail["ended"] = ended
    detail = detail.rename(columns={"pending": "open"})
    detail["ended_due"] = detail["due"].where(ended, 0)
    detail["ended_met"] = detail["met"].where(ended, 0)
    for column in COUNTS:
        detail[column] = detail[column].astype(int)
    return detail.drop(columns=["rate"]).reset_index(drop=True)


def summarise(detail: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Roll rule_periods up to the `by` groups (ROLLUP_COLUMNS' keys, first-seen order), with the
    rate over ended."""
    keys = [c for key in by for c in ROLLUP_COLUMNS[key]]
    if not keys:
        frame = pd.DataFrame([{c: int(detail[c].sum()) if len(detail) else 0 for c in COUNTS}])
    elif detail.empty:
        frame = pd.DataFrame(columns=[*keys, *COUNTS])
    else:
        frame = detail.groupby(keys, sort=False, dropna=False)[COUNTS].sum().reset_index()
    frame["rate"] = shares(frame["ended_met"], frame["ended_due"])
    return frame


def compliance_frame(
    session: Session,
    actor: Actor,
    scope: Scope,
    period: Period,
    as_of: date,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Due, met, overdue, open and rate per `by` group (engine keys: rule, classroom, school,
    teacher, grade, month…); `by=()` is one total row."""
    return summarise(rule_periods(session, actor, scope, period, as_of, by), by)


def compliance_figures(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> ComplianceFigures:
    return ComplianceFigures.of(rule_periods(session, actor, scope, period, as_of))


def below_target(frame: pd.DataFrame, name_column: str) -> pd.DataFrame:
    """Units of a compliance_frame whose rate (over ended rule-periods) is under TARGET."""
    rated = frame[frame["rate"].map(lambda r: r is not None and not pd.isna(r)).astype(bool)]
    low = rated[rated["rate"].astype(float) < TARGET]
    return low[[name_column, "rate"]].rename(columns={name_column: "unit"}).reset_index(drop=True)


@dataclass(frozen=True)
class ComplianceStatus:
    """Compliance over a range (a term, a report period) seen on `as_of`: the last ended month
    and the range to date as headline rates, the running month as progress."""

    last_month: Period | None
    last_month_figures: ComplianceFigures
    to_date: ComplianceFigures
    running: Period | None
    running_figures: ComplianceFigures
    days_left: int  # of the running month (within the range), today included


def compliance_status(detail: pd.DataFrame, period: Period, as_of: date) -> ComplianceStatus:
    """The status from `rule_periods` of `period` (any grouping)."""
    last: Period | None = None
    if period.has_ended(as_of):
        last = month_of(period.end)
    elif period.has_started(as_of) and last_ended_month(as_of).end >= period.start:
        last = last_ended_month(as_of)
    running = month_of(as_of) if period.start <= as_of <= period.end else None

    def of_month(month: Period | None) -> ComplianceFigures:
        if month is None:
            return ComplianceFigures.of(detail.iloc[0:0])
        return ComplianceFigures.of(detail[detail["month"] == month.start.strftime("%Y-%m")])

    days_left = (min(running.end, period.end) - as_of).days + 1 if running else 0
    return ComplianceStatus(
        last_month=last,
        last_month_figures=of_month(last),
        to_date=ComplianceFigures.of(detail),
        running=running,
        running_figures=of_month(running),
        days_left=days_left,
    )
