"""总览: KPI figures and chart data for principal, admin and bureau (all SQL aggregates).

Every function takes the same scope: the actor's school (or county for the bureau), optionally one
grade or class, and a date range (usually a term). DataFrames have stable column names; the
bureau report (services/report*) reuses them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.models import Activity, Child, Classroom, Contact, Pairing, Participation, Term
from services.accounts.actor import Actor
from services.compliance.engine import compliance_table
from services.records.children import complete_condition as archive_complete_condition
from services.scope import child_visibility, school_ids_in_view

DASHBOARD_ROLES = (Role.ADMIN, Role.PRINCIPAL, Role.BUREAU)


@dataclass(frozen=True)
class Scope:
    """Which children a dashboard figure covers, and over which dates."""

    start: date
    end: date
    grade: int | None = None
    classroom_id: int | None = None
    as_of: date = field(default_factory=date.today)


@dataclass(frozen=True)
class DashboardKpis:
    children: int
    left_behind: int
    both_parents: int
    one_parent: int
    key_children: int
    archived: int  # left-behind children with a complete archive (services/records/children.py)
    paired_left_behind: int
    paired_key: int
    month_compliance: float | None
    left_behind_participation: float | None  # share who attended ≥ 1 activity in the range
    other_participation: float | None

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def left_behind_share(self) -> float | None:
        return self._share(self.left_behind, self.children)

    @property
    def both_parents_share(self) -> float | None:
        return self._share(self.both_parents, self.left_behind)

    @property
    def one_parent_share(self) -> float | None:
        return self._share(self.one_parent, self.left_behind)

    @property
    def archive_rate(self) -> float | None:
        return self._share(self.archived, self.left_behind)

    @property
    def pairing_coverage_left_behind(self) -> float | None:
        return self._share(self.paired_left_behind, self.left_behind)

    @property
    def pairing_coverage_key(self) -> float | None:
        return self._share(self.paired_key, self.key_children)


@dataclass(frozen=True)
class Dashboard:
    """Everything the 总览 page shows, as plain data."""

    kpis: DashboardKpis
    compliance_heatmap: pd.DataFrame  # label, month, rate, due, met
    compliance_trend: pd.DataFrame  # rule_name, month, rate
    compliance_by_owner: pd.DataFrame  # label, due, met, rate (teachers; schools for the bureau)
    left_behind_by_grade: pd.DataFrame  # grade, left_behind_type, children
    participation_by_type: pd.DataFrame  # activity_type, group, participants, group_size, share
    contacts_by_channel: pd.DataFrame  # channel, contacts


def _children_where(session: Session, actor: Actor, scope: Scope) -> list[ColumnElement[bool]]:
    """Enrolled, not deleted children visible to the actor, in the scope's grade/class."""
    conditions: list[ColumnElement[bool]] = [
        Child.school_id.in_(school_ids_in_view(session, actor) or [-1]),
        child_visibility(actor),
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    ]
    if scope.classroom_id is not None:
        conditions.append(Child.classroom_id == scope.classroom_id)
    if scope.grade is not None:
        conditions.append(
            Child.classroom_id.in_(select(Classroom.id).where(Classroom.grade == scope.grade))
        )
    return conditions


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _paired_in_range(scope: Scope) -> ColumnElement[bool]:
    """The child has a (not deleted) pairing in a term overlapping the scope's dates.

    Correlated EXISTS (index on child_id) rather than IN: PostgreSQL will not hash a large IN
    list and would rescan it for every child."""
    return exists(
        select(Pairing.id)
        .join(Term, Term.id == Pairing.term_id)
        .where(
            Pairing.child_id == Child.id,
            Pairing.deleted_at.is_(None),
            Term.start_date <= scope.end,
            Term.end_date >= scope.start,
            or_(Pairing.end_date.is_(None), Pairing.end_date >= scope.start),
        )
    )


def dashboard_kpis(session: Session, actor: Actor, scope: Scope) -> DashboardKpis:
    """The KPI figures of the 总览 page."""
    actor.require(*DASHBOARD_ROLES)
    left_behind = Child.left_behind_type != LeftBehindType.NONE
    paired = _paired_in_range(scope)
    attended = _attended(scope)
    row = session.execute(
        select(
            func.count(Child.id),
            _count_if(left_behind),
            _count_if(Child.left_behind_type == LeftBehindType.BOTH),
            _count_if(Child.left_behind_type.in_([LeftBehindType.FATHER, LeftBehindType.MOTHER])),
            _count_if(Child.is_key.is_(True)),
            _count_if(and_(left_behind, archive_complete_condition() == 1)),
            _count_if(and_(left_behind, paired)),
            _count_if(and_(Child.is_key.is_(True), paired)),
            _count_if(and_(left_behind, attended)),
            _count_if(and_(~left_behind, attended)),
        ).where(*_children_where(session, actor, scope))
    ).one()
    counts = [int(v) for v in row]
    month_start = scope.as_of.replace(day=1)
    month_end = scope.as_of.replace(day=calendar.monthrange(scope.as_of.year, scope.as_of.month)[1])
    month = compliance_table(
        session,
        actor,
        month_start,
        month_end,
        by=(),
        grade=scope.grade,
        classroom_id=scope.classroom_id,
        as_of=scope.as_of,
    )
    others = counts[0] - counts[1]
    return DashboardKpis(
        *counts[:8],
        month_compliance=_optional_float(month.iloc[0]["rate"]),
        left_behind_participation=counts[8] / counts[1] if counts[1] else None,
        other_participation=counts[9] / others if others else None,
    )


def _optional_float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _attended(scope: Scope) -> ColumnElement[bool]:
    """The child attended at least one activity in the scope's dates (correlated EXISTS)."""
    return exists(
        select(Participation.id)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(
            Participation.child_id == Child.id,
            Participation.attended.is_(True),
            Participation.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
            Activity.activity_date >= scope.start,
            Activity.activity_date <= scope.end,
        )
    )


def left_behind_by_grade(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """Enrolled children per grade and left-behind type: grade, left_behind_type, children."""
    actor.require(*DASHBOARD_ROLES)
    query = (
        select(
            Classroom.grade.label("grade"),
            Child.left_behind_type.label("left_behind_type"),
            func.count(Child.id).label("children"),
        )
        .join(Classroom, Classroom.id == Child.classroom_id)
        .where(*_children_where(session, actor, scope))
        .group_by(Classroom.grade, Child.left_behind_type)
        .order_by(Classroom.grade, Child.left_behind_type)
    )
    frame = _frame(session, query, ["grade", "left_behind_type", "children"])
    frame["left_behind_type"] = frame["left_behind_type"].map(lambda v: LeftBehindType(v).value)
    return frame


def participation_by_type(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """Children who attended each activity type, left-behind vs others, with the share of the group.

    Columns: activity_type, group ("left_behind" / "other"), participants, group_size, share.
    """
    actor.require(*DASHBOARD_ROLES)
    where = _children_where(session, actor, scope)
    is_lb = Child.left_behind_type != LeftBehindType.NONE
    group = case((is_lb, "left_behind"), else_="other")
    sizes_query = select(group.label("group"), func.count(Child.id)).where(*where).group_by(group)
    sizes = {g: n for g, n in session.execute(sizes_query)}
    query = (
        select(
            Activity.activity_type.label("activity_type"),
            group.label("group"),
            func.count(distinct(Child.id)).label("participants"),
        )
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Child, Child.id == Participation.child_id)
        .where(
            *where,
            Participation.attended.is_(True),
            Participation.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
            Activity.activity_date >= scope.start,
            Activity.activity_date <= scope.end,
        )
        .group_by(Activity.activity_type, group)
        .order_by(Activity.activity_type, group)
    )
    frame = _frame(session, query, ["activity_type", "group", "participants"])
    frame["activity_type"] = frame["activity_type"].map(lambda v: getattr(v, "value", v))
    frame["group_size"] = frame["group"].map(lambda g: int(sizes.get(g, 0)))
    frame["share"] = (frame["participants"] / frame["group_size"]).where(frame["group_size"] > 0)
    return frame


def contacts_by_channel(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """Contacts logged in the range per channel: columns channel, contacts."""
    actor.require(*DASHBOARD_ROLES)
    query = (
        select(Contact.channel.label("channel"), func.count(Contact.id).label("contacts"))
        .join(Child, Child.id == Contact.child_id)
        .where(
            *_children_where(session, actor, scope),
            Contact.deleted_at.is_(None),
            Contact.contact_date >= scope.start,
            Contact.contact_date <= scope.end,
        )
        .group_by(Contact.channel)
        .order_by(func.count(Contact.id).desc())
    )
    frame = _frame(session, query, ["channel", "contacts"])
    frame["channel"] = frame["channel"].map(lambda v: getattr(v, "value", v))
    return frame


def _frame(session: Session, query: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in session.execute(query)], columns=columns)


def load_dashboard(session: Session, actor: Actor, scope: Scope) -> Dashboard:
    """All figures of the 总览 page (the bureau sees schools where a school sees classes)."""
    actor.require(*DASHBOARD_ROLES)
    filters = {"grade": scope.grade, "classroom_id": scope.classroom_id, "as_of": scope.as_of}
    owner = "school" if actor.role == Role.BUREAU else "teacher"
    place = "school" if actor.role == Role.BUREAU else "classroom"
    # One compliance query at the finest grain the charts need; the charts are roll-ups of it.
    by = tuple(dict.fromkeys(("rule", place, owner, "month")))
    detail = compliance_table(session, actor, scope.start, scope.end, by=by, **filters)
    heat = _rollup(detail, [f"{place}_id", f"{place}_name", "month"])
    heat = heat.rename(columns={f"{place}_name": "label"})
    trend = _rollup(detail, ["rule_id", "rule_name", "month"])
    by_owner = _rollup(detail, [f"{owner}_id", f"{owner}_name"])
    by_owner = by_owner.rename(columns={f"{owner}_name": "label"})
    return Dashboard(
        kpis=dashboard_kpis(session, actor, scope),
        compliance_heatmap=heat[["label", "month", "rate", "due", "met"]],
        compliance_trend=trend[["rule_name", "month", "rate", "due", "met"]],
        compliance_by_owner=by_owner[["label", "due", "met", "rate"]],
        left_behind_by_grade=left_behind_by_grade(session, actor, scope),
        participation_by_type=participation_by_type(session, actor, scope),
        contacts_by_channel=contacts_by_channel(session, actor, scope),
    )


def _rollup(detail: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum due/met/overdue over `keys` (first-seen order) and recompute the rate."""
    counts = ["due", "met", "overdue", "pending"]
    if detail.empty:
        return pd.DataFrame(columns=[*keys, *counts, "rate"])
    frame = detail.groupby(keys, sort=False, dropna=False)[counts].sum().reset_index()
    frame["rate"] = (frame["met"] / frame["due"]).where(frame["due"] > 0)
    return frame


def term_options(session: Session, actor: Actor) -> pd.DataFrame:
    """Terms of the schools in view, one row per term name: name, start, end (newest first)."""
    query = (
        select(
            Term.name.label("name"),
            func.min(Term.start_date).label("start"),
            func.max(Term.end_date).label("end"),
        )
        .where(
            Term.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Term.deleted_at.is_(None),
        )
        .group_by(Term.name)
        .order_by(func.min(Term.start_date).desc())
    )
    return _frame(session, query, ["name", "start", "end"])


def classroom_options(session: Session, actor: Actor, grade: int | None = None) -> pd.DataFrame:
    """Classes of the actor's school (none for the bureau): classroom_id, name, grade."""
    if actor.role == Role.BUREAU or actor.school_id is None:
        return pd.DataFrame(columns=["classroom_id", "name", "grade"])
    query = select(Classroom.id, Classroom.name, Classroom.grade).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if grade is not None:
        query = query.where(Classroom.grade == grade)
    query = query.order_by(Classroom.grade, Classroom.number)
    return _frame(session, query, ["classroom_id", "name", "grade"])


def grade_options(session: Session, actor: Actor) -> list[int]:
    """Grades that have classes in the schools in view."""
    rows = session.scalars(
        select(Classroom.grade)
        .distinct()
        .where(
            Classroom.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Classroom.deleted_at.is_(None),
        )
        .order_by(Classroom.grade)
    )
    return [int(g) for g in rows]
