"""Every figure of the bureau report (DESIGN.md §8), gathered from services/metrics — the same
functions the dashboard and the pages use — for one scope, period and day. Nothing is counted
here; the .docx and .pdf writers only format this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import School
from services.actor import Actor
from services.clock import school_today
from services.metrics.archive import archive_missing_fields
from services.metrics.attention import new_children, not_contacted
from services.metrics.compliance import ComplianceFigures, below_target, summarise
from services.metrics.dashboard import Dashboard, load_dashboard, units
from services.metrics.headcounts import headcounts_by_unit
from services.metrics.health import HealthFigures, health_by_unit
from services.metrics.outcome import OutcomeFigures, outcome_figures
from services.metrics.records import aid_by_kind
from services.metrics.scope import Period, Scope
from services.scope import school_ids_in_view

ReportPeriod = Period  # a report's period is the metrics Period (month, term or year)


@dataclass(frozen=True)
class ReportFilters:
    grade: int | None = None
    classroom_id: int | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.grade, self.classroom_id)


@dataclass
class ReportData:
    place: str  # the school's name, or the county for the bureau
    schools: int
    period: Period
    as_of: date  # the day the report is made: figures so far, and its 生成日期
    by_school: bool  # the bureau's tables list schools where a school's list classes
    dashboard: Dashboard  # headcounts, archive, pairing, participation, compliance, charts
    units: pd.DataFrame  # headcounts per class (per school for the bureau)
    grades: pd.DataFrame  # headcounts per grade (empty for the bureau)
    missing_fields: pd.DataFrame  # field, missing
    compliance_by_rule: pd.DataFrame  # rule_name, due, met, overdue, open, rate (+ ended_*)
    compliance_by_unit: pd.DataFrame  # unit, due, met, overdue, open, rate (+ ended_*)
    below_target: pd.DataFrame  # unit, rate — over ended rule-periods only
    health: HealthFigures  # for the term of the period (health checks are per term)
    health_by_unit: pd.DataFrame  # unit, children, checked, coverage, left_behind_checked, …
    aid: pd.DataFrame  # kind, records, children, amount
    not_contacted: pd.DataFrame  # child_id, name, unit, last_contact (names as the actor sees)
    new_children: int  # left-behind children too new to judge (新建档)
    outcome: OutcomeFigures  # 关爱成效: the terms of the period, as the outcome page shows them

    @property
    def compliance(self) -> ComplianceFigures:
        return self.dashboard.compliance.to_date

    @property
    def running(self) -> bool:
        """The period has not ended on the day of the report."""
        return not self.period.has_ended(self.as_of)


def gather_report_data(
    session: Session,
    actor: Actor,
    period: Period,
    filters: ReportFilters | None = None,
    as_of: date | None = None,
) -> ReportData:
    """All the report's figures for `period` over what `actor` may see, seen on `as_of` (the
    school's today by default)."""
    filters = filters or ReportFilters()
    scope = filters.scope
    as_of = as_of or school_today()
    dashboard = load_dashboard(session, actor, scope, period, as_of)
    by_school = dashboard.by_school
    place, _owner = units(by_school)
    by_unit = summarise(dashboard.compliance_detail, (place,))
    by_unit = by_unit.rename(columns={f"{place}_name": "unit"})
    health, health_units = health_by_unit(session, actor, scope, period, as_of, by_school)
    return ReportData(
        place=place_name(session, actor),
        schools=len(school_ids_in_view(session, actor)),
        period=period,
        as_of=as_of,
        by_school=by_school,
        dashboard=dashboard,
        units=headcounts_by_unit(session, actor, scope, period, as_of, place),
        grades=(
            headcounts_by_unit(session, actor, scope, period, as_of, "grade").dropna(
                subset=["unit"]
            )
            if not by_school
            else pd.DataFrame()
        ),
        missing_fields=archive_missing_fields(session, actor, scope, period, as_of),
        compliance_by_rule=summarise(dashboard.compliance_detail, ("rule_name",)),
        compliance_by_unit=by_unit,
        below_target=below_target(by_unit, "unit"),
        health=health,
        health_by_unit=health_units,
        aid=aid_by_kind(session, actor, scope, period, as_of),
        not_contacted=not_contacted(session, actor, scope, period, as_of, by_school),
        new_children=new_children(session, actor, scope, period, as_of),
        outcome=outcome_figures(session, actor, scope, period, as_of),
    )


def place_name(session: Session, actor: Actor) -> str:
    if actor.role == Role.BUREAU:
        return actor.county or ""
    return session.scalar(select(School.name).where(School.id == actor.school_id)) or ""
