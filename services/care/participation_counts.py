"""The counting blocks of the participation figures (services/care/participation.py): who is in
view, who took part, and the left-behind / other split. Each returns plain dicts keyed by
(key, is_left_behind), where is_left_behind is 1 or 0.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType
from db.models import Activity, ActivityClassroom, Child, Participation
from services.actor import Actor
from services.scope import child_visibility, school_ids_in_view


def attended_condition():  # type: ignore[no-untyped-def]
    """The one definition of "took part": an attended, not deleted Participation row."""
    return and_(Participation.attended.is_(True), Participation.deleted_at.is_(None))


IS_LEFT_BEHIND = case((Child.left_behind_type != LeftBehindType.NONE, 1), else_=0)


def rate(part: int, whole: int) -> float:
    """part / whole, 0.0 for an empty group."""
    return part / whole if whole else 0.0


def children_in_view(actor: Actor) -> Any:
    """Conditions on Child: enrolled, not deleted, visible to the actor."""
    return (
        child_visibility(actor),
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    )


def activities_in_view(
    session: Session, actor: Actor, date_from: date | None, date_to: date | None
) -> list[Any]:
    """Conditions on Activity: of the school(s) in view, not deleted, dated in the period."""
    conds = [
        Activity.school_id.in_(school_ids_in_view(session, actor) or [-1]),
        Activity.deleted_at.is_(None),
    ]
    if date_from:
        conds.append(Activity.activity_date >= date_from)
    if date_to:
        conds.append(Activity.activity_date <= date_to)
    return conds


def children_counts(
    session: Session, actor: Actor, key: Any | None, children: tuple = ()
) -> dict[tuple, int]:
    """(key, is_left_behind) → enrolled children in view; key None groups everyone together."""
    keys = [key] if key is not None else []
    rows = session.execute(
        select(*keys, IS_LEFT_BEHIND, func.count(Child.id))
        .where(*children_in_view(actor), *children)
        .group_by(*keys, IS_LEFT_BEHIND)
    )
    return {(r[0] if keys else None, int(r[-2])): int(r[-1]) for r in rows}


def participant_counts(
    session: Session,
    actor: Actor,
    key: Any | None,
    date_from: date | None,
    date_to: date | None,
    children: tuple = (),
) -> tuple[dict[tuple, int], dict[Any, int]]:
    """(key, is_left_behind) → distinct children who took part; key → attendances."""
    keys = [key] if key is not None else []
    rows = session.execute(
        select(
            *keys,
            IS_LEFT_BEHIND,
            func.count(func.distinct(Child.id)),
            func.count(Participation.id),
        )
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Child, Child.id == Participation.child_id)
        .where(
            attended_condition(),
            *children_in_view(actor),
            *children,
            *activities_in_view(session, actor, date_from, date_to),
        )
        .group_by(*keys, IS_LEFT_BEHIND)
    )
    participants: dict[tuple, int] = {}
    attendances: dict[Any, int] = defaultdict(int)
    for r in rows:
        k = r[0] if keys else None
        participants[(k, int(r[-3]))] = int(r[-2])
        attendances[k] += int(r[-1])
    return participants, attendances


def group_figures(children: dict[tuple, int], participants: dict[tuple, int], key: Any) -> dict:
    """The six group columns (_GROUP in participation.py) for one key."""
    lb_children, other_children = children.get((key, 1), 0), children.get((key, 0), 0)
    lb_part, other_part = participants.get((key, 1), 0), participants.get((key, 0), 0)
    return {
        "left_behind_children": lb_children,
        "left_behind_participants": lb_part,
        "left_behind_rate": rate(lb_part, lb_children),
        "other_children": other_children,
        "other_participants": other_part,
        "other_rate": rate(other_part, other_children),
    }


def eligible_by_activity(session: Session, actor: Actor, ids: list[int]) -> dict[tuple, int]:
    """(activity id, is_left_behind) → enrolled children in view of the classes involved."""
    rows = session.execute(
        select(ActivityClassroom.activity_id, IS_LEFT_BEHIND, func.count(Child.id))
        .join(Child, Child.classroom_id == ActivityClassroom.classroom_id)
        .where(ActivityClassroom.activity_id.in_(ids), *children_in_view(actor))
        .group_by(ActivityClassroom.activity_id, IS_LEFT_BEHIND)
    )
    return {(a, int(lb)): int(n) for a, lb, n in rows}


def attended_by_activity(
    session: Session, actor: Actor, ids: list[int], with_classes: set[int]
) -> dict[tuple, tuple[int, int]]:
    """(activity id, is_left_behind) → (children in view who attended, of them outsiders): an
    outsider is not an enrolled child of a class involved (`with_classes`: activities that name
    classes; the others invite the whole school)."""
    in_involved_class = exists().where(
        ActivityClassroom.activity_id == Participation.activity_id,
        ActivityClassroom.classroom_id == Child.classroom_id,
    )
    outsider = case(
        (
            (Child.enrolment_status == EnrolmentStatus.ENROLLED)
            & (Child.deleted_at.is_(None))
            & (in_involved_class | ~Participation.activity_id.in_(with_classes or [-1])),
            0,
        ),
        else_=1,
    )
    attended: dict[tuple, tuple[int, int]] = {}
    for activity_id, lb, n, outside in session.execute(
        select(Participation.activity_id, IS_LEFT_BEHIND, func.count(Child.id), func.sum(outsider))
        .join(Child, Child.id == Participation.child_id)
        .where(Participation.activity_id.in_(ids), attended_condition(), child_visibility(actor))
        .group_by(Participation.activity_id, IS_LEFT_BEHIND)
    ):
        attended[(activity_id, int(lb))] = (int(n), int(outside or 0))
    return attended
