"""Every figure of the bureau report (DESIGN.md §8), gathered in one place from the services that
own them, plus a few SQL aggregates of its own. The .docx and .pdf writers only format this.

Sources: headline, archive, pairing and participation shares and the chart data come from
services/metrics/dashboard.py (`load_dashboard`); compliance from services/compliance/engine.py;
activities from
services/care/participation.py; health from services/care/health.py (school roles). Own SQL: the
table by
class (or by school for the bureau), missing archive fields, pairing load, aid by kind, health for
the bureau, and children not contacted for 60 days or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.models import (
    Activity,
    Aid,
    Child,
    Classroom,
    Contact,
    HealthCheck,
    Pairing,
    Participation,
    School,
    Term,
)
from services.accounts.actor import Actor
from services.care.health import health_coverage
from services.care.participation import (
    BY_TYPE_COLUMNS,
    SUMMARY_COLUMNS,
    attended_condition,
    participation_by_type,
    participation_summary,
    rate,
)
from services.compliance.engine import compliance_table
from services.metrics.dashboard import Dashboard, Scope, load_dashboard
from services.records.children import ARCHIVE_BASE_FIELDS
from services.scope import child_visibility, school_ids_in_view

COMPLIANCE_TARGET = 0.9
NOT_CONTACTED_DAYS = 60


@dataclass(frozen=True)
class ReportPeriod:
    """A month, term or year: its dates and the label printed in titles and file names."""

    kind: str
    start: date
    end: date
    label: str


@dataclass(frozen=True)
class ReportFilters:
    grade: int | None = None
    classroom_id: int | None = None


@dataclass(frozen=True)
class PairingFigures:
    pairs: int
    teachers: int
    average_load: float
    max_load: int
    overloaded_teachers: int  # more than 3 children


@dataclass
class ReportData:
    place: str  # the school's name, or the county for the bureau
    schools: int
    period: ReportPeriod
    filters_label: str
    as_of: date
    by_school: bool  # the bureau's tables list schools where a school's list classes
    dashboard: Dashboard
    units: pd.DataFrame  # unit, grade, children, left_behind, both, one_parent, key, archived
    missing_fields: pd.DataFrame  # field, missing
    pairing: PairingFigures
    compliance_total: pd.DataFrame  # due, met, overdue, pending, rate (one row)
    compliance_by_rule: pd.DataFrame  # rule_name, due, met, overdue, rate
    compliance_by_unit: pd.DataFrame  # unit, due, met, overdue, rate
    activities_by_type: pd.DataFrame  # participation_by_type columns
    activities_total: pd.DataFrame  # participation_summary columns
    health: pd.DataFrame  # unit, children, checked, coverage, left_behind_checked, low_vision
    aid: pd.DataFrame  # kind, records, children, amount
    not_contacted: pd.DataFrame  # name, unit, last_contact (names unmasked: mask when writing)
    below_target: pd.DataFrame  # unit, rate


def gather_report_data(
    session: Session,
    actor: Actor,
    period: ReportPeriod,
    filters: ReportFilters | None = None,
    as_of: date | None = None,
) -> ReportData:
    """All the report's figures for `period` over what `actor` may see."""
    filters = filters or ReportFilters()
    as_of = min(as_of or date.today(), period.end)
    scope = Scope(period.start, period.end, filters.grade, filters.classroom_id, as_of)
    by_school = actor.role == Role.BUREAU
    unit = "school" if by_school else "classroom"
    common = {"grade": filters.grade, "classroom_id": filters.classroom_id, "as_of": as_of}
    by_unit = compliance_table(session, actor, period.start, period.end, by=(unit,), **common)
    by_unit = by_unit.rename(columns={f"{unit}_name": "unit"})
    rates = by_unit[by_unit["due"] > 0]
    if filters.grade is None and filters.classroom_id is None:
        activities_by_type = participation_by_type(session, actor, period.start, period.end)
        activities_total = participation_summary(session, actor, period.start, period.end)
    else:  # the participation service counts the whole school: count the chosen class here
        activities_by_type, activities_total = _activities_in_scope(session, actor, scope)
    return ReportData(
        place=place_name(session, actor),
        schools=len(school_ids_in_view(session, actor)),
        period=period,
        filters_label="",
        as_of=as_of,
        by_school=by_school,
        dashboard=load_dashboard(session, actor, scope),
        units=_units(session, actor, scope, by_school),
        missing_fields=_missing_fields(session, actor, scope),
        pairing=_pairing(session, actor, scope),
        compliance_total=compliance_table(
            session, actor, period.start, period.end, by=(), **common
        ),
        compliance_by_rule=compliance_table(
            session, actor, period.start, period.end, by=("rule",), **common
        ),
        compliance_by_unit=by_unit,
        activities_by_type=activities_by_type,
        activities_total=activities_total,
        health=_health(session, actor, scope, by_school),
        aid=_aid(session, actor, scope),
        not_contacted=_not_contacted(session, actor, scope, by_school),
        below_target=rates[rates["rate"] < COMPLIANCE_TARGET][["unit", "rate"]].reset_index(
            drop=True
        ),
    )


def place_name(session: Session, actor: Actor) -> str:
    if actor.role == Role.BUREAU:
        return actor.county or ""
    return session.scalar(select(School.name).where(School.id == actor.school_id)) or ""


def _children_where(session: Session, actor: Actor, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [
        Child.school_id.in_(school_ids_in_view(session, actor) or [-1]),
        child_visibility(actor),
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    ]
    if scope.classroom_id is not None:
        conditions.append(Child.classroom_id == scope.classroom_id)
    if scope.grade is not None:
        conditions.append(Classroom.grade == scope.grade)
    return conditions


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _archive_complete() -> ColumnElement[bool]:
    """The same definition as services/records/children.py: base fields, and the away parents'
    fields."""
    base = and_(*(getattr(Child, f).is_not(None) for f in ARCHIVE_BASE_FIELDS))

    def parent(who: str) -> ColumnElement[bool]:
        return and_(
            getattr(Child, f"{who}_name").is_not(None),
            getattr(Child, f"{who}_phone").is_not(None),
            getattr(Child, f"{who}_work_province").is_not(None),
        )

    lbt = Child.left_behind_type
    return and_(
        base,
        or_(lbt.in_([LeftBehindType.MOTHER, LeftBehindType.NONE]), parent("father")),
        or_(lbt.in_([LeftBehindType.FATHER, LeftBehindType.NONE]), parent("mother")),
    )


def _units(session: Session, actor: Actor, scope: Scope, by_school: bool) -> pd.DataFrame:
    """Children and the left-behind mix per class (per school for the bureau)."""
    lbt = Child.left_behind_type
    left_behind = lbt != LeftBehindType.NONE
    keys = [School.name, School.id] if by_school else [Classroom.name, Classroom.grade]
    order = [School.name] if by_school else [Classroom.grade, Classroom.number]
    rows = session.execute(
        select(
            keys[0],
            keys[1],
            func.count(Child.id),
            _count_if(left_behind),
            _count_if(lbt == LeftBehindType.BOTH),
            _count_if(lbt.in_([LeftBehindType.FATHER, LeftBehindType.MOTHER])),
            _count_if(and_(left_behind, Child.is_key.is_(True))),
            _count_if(and_(left_behind, _archive_complete())),
        )
        .join(School, School.id == Child.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*_children_where(session, actor, scope))
        .group_by(*keys, *order)
        .order_by(*order)
    ).all()
    columns = ["unit", "grade", "children", "left_behind", "both", "one_parent", "key", "archived"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    if by_school:
        frame["grade"] = None
    return frame


def _missing_fields(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """How many enrolled left-behind children lack each archive field."""
    fields = [*ARCHIVE_BASE_FIELDS, "father_phone", "mother_phone"]
    row = session.execute(
        select(*(_count_if(getattr(Child, f).is_(None)) for f in fields))
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            *_children_where(session, actor, scope), Child.left_behind_type != LeftBehindType.NONE
        )
    ).one()
    frame = pd.DataFrame({"field": fields, "missing": [int(v) for v in row]})
    return (
        frame[frame["missing"] > 0].sort_values("missing", ascending=False).reset_index(drop=True)
    )


def _pairing(session: Session, actor: Actor, scope: Scope) -> PairingFigures:
    """Pairs in terms overlapping the period, teachers involved and their load."""
    rows = session.execute(
        select(Pairing.teacher_id, func.count(func.distinct(Pairing.child_id)))
        .join(Term, Term.id == Pairing.term_id)
        .join(Child, Child.id == Pairing.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            *_children_where(session, actor, scope),
            Pairing.deleted_at.is_(None),
            Term.start_date <= scope.end,
            Term.end_date >= scope.start,
        )
        .group_by(Pairing.teacher_id)
    ).all()
    loads = [int(n) for _, n in rows]
    return PairingFigures(
        pairs=sum(loads),
        teachers=len(loads),
        average_load=sum(loads) / len(loads) if loads else 0.0,
        max_load=max(loads, default=0),
        overloaded_teachers=sum(1 for n in loads if n > 3),
    )


def _health(session: Session, actor: Actor, scope: Scope, by_school: bool) -> pd.DataFrame:
    columns = ["unit", "children", "checked", "coverage", "left_behind_checked", "low_vision"]
    if not by_school:
        frame = health_coverage(session, actor, scope.start, scope.end)
        if scope.classroom_id is not None:
            frame = frame[frame["classroom_id"] == scope.classroom_id]
        if scope.grade is not None:
            frame = frame[frame["grade"] == scope.grade]
        return frame.rename(columns={"classroom": "unit"})[columns].reset_index(drop=True)
    checked = select(HealthCheck.child_id).where(
        HealthCheck.deleted_at.is_(None), HealthCheck.check_date.between(scope.start, scope.end)
    )
    low = checked.where((HealthCheck.vision_left < 5.0) | (HealthCheck.vision_right < 5.0))
    rows = session.execute(
        select(
            School.name,
            func.count(Child.id),
            _count_if(Child.id.in_(checked)),
            _count_if(and_(Child.left_behind_type != LeftBehindType.NONE, Child.id.in_(checked))),
            _count_if(Child.id.in_(low)),
        )
        .join(School, School.id == Child.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*_children_where(session, actor, scope))
        .group_by(School.name)
        .order_by(School.name)
    ).all()
    data = [
        (name, int(n), int(c), int(c) / int(n) if n else 0.0, int(lb), int(lo))
        for name, n, c, lb, lo in rows
    ]
    return pd.DataFrame(data, columns=columns)


def _aid(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """Aid granted in terms overlapping the period, per kind."""
    rows = session.execute(
        select(
            Aid.kind,
            func.count(Aid.id),
            func.count(func.distinct(Aid.child_id)),
            func.coalesce(func.sum(Aid.amount), 0),
        )
        .join(Child, Child.id == Aid.child_id)
        .outerjoin(Term, Term.id == Aid.term_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(
            *_children_where(session, actor, scope),
            Aid.deleted_at.is_(None),
            or_(
                and_(Term.start_date <= scope.end, Term.end_date >= scope.start),
                Aid.granted_on.between(scope.start, scope.end),
            ),
        )
        .group_by(Aid.kind)
        .order_by(Aid.kind)
    ).all()
    data = [(getattr(k, "value", k), int(r), int(c), float(a)) for k, r, c, a in rows]
    return pd.DataFrame(data, columns=["kind", "records", "children", "amount"])


def _not_contacted(session: Session, actor: Actor, scope: Scope, by_school: bool) -> pd.DataFrame:
    """Enrolled left-behind children with no contact in the 60 days up to the period's end."""
    since = scope.as_of - timedelta(days=NOT_CONTACTED_DAYS)
    last = (
        select(Contact.child_id, func.max(Contact.contact_date).label("last"))
        .where(Contact.deleted_at.is_(None), Contact.contact_date <= scope.as_of)
        .group_by(Contact.child_id)
        .subquery()
    )
    unit = School.name if by_school else Classroom.name
    rows = session.execute(
        select(Child.name, unit, last.c.last)
        .join(School, School.id == Child.school_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .outerjoin(last, last.c.child_id == Child.id)
        .where(
            *_children_where(session, actor, scope),
            Child.left_behind_type != LeftBehindType.NONE,
            or_(last.c.last.is_(None), last.c.last < since),
        )
        .order_by(Classroom.grade, Classroom.number, Child.student_no)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "unit", "last_contact"])


def _activities_in_scope(
    session: Session, actor: Actor, scope: Scope
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participation of the children of a class or grade, in the participation service's
    columns (by type, and one total row): who took part at least once, per group."""
    where = _children_where(session, actor, scope)
    left_behind = Child.left_behind_type != LeftBehindType.NONE
    sizes = session.execute(
        select(_count_if(left_behind), _count_if(~left_behind))
        .select_from(Child)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*where)
    ).one()
    lb_children, other_children = int(sizes[0]), int(sizes[1])

    def figures(key: Any | None) -> list[tuple]:
        keys = [key] if key is not None else []
        lb_child = case((left_behind, Child.id))
        other_child = case((~left_behind, Child.id))
        query = (
            select(
                *keys,
                func.count(func.distinct(Activity.id)),
                func.count(Participation.id),
                func.count(func.distinct(lb_child)),
                func.count(func.distinct(other_child)),
            )
            .select_from(Participation)
            .join(Activity, Activity.id == Participation.activity_id)
            .join(Child, Child.id == Participation.child_id)
            .outerjoin(Classroom, Classroom.id == Child.classroom_id)
            .where(
                *where,
                attended_condition(),
                Activity.deleted_at.is_(None),
                Activity.activity_date.between(scope.start, scope.end),
            )
        )
        if keys:
            query = query.group_by(*keys).order_by(*keys)
        return [tuple(r) for r in session.execute(query)]

    def row(activities: int, attendances: int, lb: int, other: int) -> dict[str, Any]:
        return {
            "activities": int(activities),
            "attendances": int(attendances),
            "left_behind_children": lb_children,
            "left_behind_participants": int(lb),
            "left_behind_rate": rate(int(lb), lb_children),
            "other_children": other_children,
            "other_participants": int(other),
            "other_rate": rate(int(other), other_children),
        }

    by_type = pd.DataFrame(
        [
            {"activity_type": getattr(kind, "value", kind), **row(*rest)}
            for kind, *rest in figures(Activity.activity_type)
        ],
        columns=BY_TYPE_COLUMNS,
    )
    total = pd.DataFrame([row(*figures(None)[0])], columns=SUMMARY_COLUMNS)
    return by_type, total
