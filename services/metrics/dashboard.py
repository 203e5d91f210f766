"""总览: every figure and chart frame of the dashboard, from the one function per figure of this
package. The bureau report embeds the same Dashboard (services/reports/data.py).

Compliance is split into ended and running (DESIGN.md §6): the heat map and trend lines stop at
the last ended month, the headline rates are over ended rule-periods (last ended month, the range
to date) and the running month is progress (已完成 x / 应完成 y，剩余 n 天), never a 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from db.enums import Role
from services import permissions
from services.actor import Actor
from services.metrics.archive import ArchiveFigures, archive_figures
from services.metrics.compliance import (
    ComplianceStatus,
    compliance_status,
    rule_periods,
    summarise,
)
from services.metrics.headcounts import Headcounts, headcounts, left_behind_by_grade
from services.metrics.pairing import PairingFigures, pairing_figures
from services.metrics.participation import (
    ParticipationFigures,
    long_form,
    participation_by_activity_type,
    participation_figures,
)
from services.metrics.records import contacts_by_channel
from services.metrics.scope import Period, Scope
from services.permissions import Action


@dataclass(frozen=True)
class Dashboard:
    """Everything the 总览 page shows, as plain data."""

    period: Period
    as_of: date
    by_school: bool  # the bureau sees schools where a school sees classes and teachers
    heads: Headcounts
    archive: ArchiveFigures
    pairing: PairingFigures
    participation: ParticipationFigures
    compliance: ComplianceStatus
    compliance_detail: pd.DataFrame  # rule_periods by rule, class/school, teacher/school
    compliance_heatmap: pd.DataFrame  # label, month, due, met, rate — ended months only
    compliance_trend: pd.DataFrame  # rule_name, month, due, met, rate — ended months, one row
    # per rule name and month (a county's same-named rules summed)
    compliance_by_owner: pd.DataFrame  # label, due, met, rate — ended rule-periods
    left_behind_by_grade: pd.DataFrame  # grade, left_behind_type, children
    participation_by_type: pd.DataFrame  # care's BY_TYPE_COLUMNS, one row per type
    participation_chart: pd.DataFrame  # activity_type, group, participants, group_size, share
    contacts_by_channel: pd.DataFrame  # channel, contacts


def units(by_school: bool) -> tuple[str, str]:
    """(place, owner) compliance keys: classes and teachers, or schools for the bureau."""
    return ("school", "school") if by_school else ("classroom", "teacher")


def _ended_only(frame: pd.DataFrame, keys: list[str], label: str | None) -> pd.DataFrame:
    """A summarise() frame as chart data: groups with an ended rule-period, their ended counts."""
    frame = frame[frame["ended_due"] > 0]
    frame = frame.assign(due=frame["ended_due"], met=frame["ended_met"])
    if label is not None:
        frame = frame.rename(columns={label: "label"})
    return frame[[*keys, "due", "met", "rate"]].reset_index(drop=True)


def load_dashboard(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> Dashboard:
    """All figures of the 总览 page for the scope and period, seen on `as_of`."""
    permissions.require(actor, Action.VIEW_METRICS)
    if session.get_bind().dialect.name == "postgresql":
        # Short queries over a county's children: PostgreSQL's JIT (on above jit_above_cost)
        # spent seconds compiling them, more than running them. This read transaction only.
        session.execute(text("SET LOCAL jit = off"))
    by_school = actor.role == Role.BUREAU
    place, owner = units(by_school)
    # One compliance query at the finest grain the charts need; the rest are roll-ups of it.
    detail = rule_periods(session, actor, scope, period, as_of, ("rule", place, owner))
    ended = detail[detail["month"] < as_of.strftime("%Y-%m")]
    heat = summarise(ended, (place, "month"))
    # Per rule name: the county's schools each have their own rules of the same names.
    trend = summarise(ended, ("rule_name", "month"))
    by_owner = summarise(detail, (owner,))
    by_type = participation_by_activity_type(session, actor, scope, period, as_of)
    return Dashboard(
        period=period,
        as_of=as_of,
        by_school=by_school,
        heads=headcounts(session, actor, scope, period, as_of),
        archive=archive_figures(session, actor, scope, period, as_of),
        pairing=pairing_figures(session, actor, scope, period, as_of),
        participation=participation_figures(session, actor, scope, period, as_of),
        compliance=compliance_status(detail, period, as_of),
        compliance_detail=detail,
        compliance_heatmap=_ended_only(heat, ["label", "month"], f"{place}_name"),
        compliance_trend=_ended_only(trend, ["rule_name", "month"], None),
        compliance_by_owner=_ended_only(by_owner, ["label"], f"{owner}_name"),
        left_behind_by_grade=left_behind_by_grade(session, actor, scope, period, as_of),
        participation_by_type=by_type,
        participation_chart=long_form(by_type),
        contacts_by_channel=contacts_by_channel(session, actor, scope, period, as_of),
    )
