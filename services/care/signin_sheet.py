"""The sign-in sheet (签到) of a care activity: the classes a user may sign in, their roster
with the current ticks, and saving the ticks.

A head teacher signs in the children of his or her own classes, the principal and the admin
any involved class. Each ticked child has one live Participation row with `attended` true.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.enums import AuditAction, EnrolmentStatus, LeftBehindType, Role
from db.models import Activity, Child, Participation
from services import audit, permissions
from services.actor import Actor
from services.care.activities import classroom_names, involved_classrooms
from services.care.participation_counts import attended_condition
from services.errors import NotAllowed
from services.permissions import Action
from services.rows import race_guard, school_row

ROSTER_COLUMNS = [
    "child_id",
    "name",
    "student_no",
    "classroom_id",
    "classroom",
    "left_behind",
    "left_behind_type",
    "attended",
]


@dataclass(frozen=True)
class SigninResult:
    attended: int
    added: int
    removed: int


def _activity_for_signin(session: Session, actor: Actor, activity_id: int) -> Activity:
    permissions.require(actor, Action.SIGN_IN_ACTIVITY)
    return school_row(session, Activity, activity_id, actor.school_id, "activity")


def signin_classrooms(session: Session, actor: Actor, activity_id: int) -> dict[int, str]:
    """The involved classes whose sign-in the actor may do (a head teacher: own ones only)."""
    activity = _activity_for_signin(session, actor, activity_id)
    involved = set(involved_classrooms(session, activity.id))
    names = classroom_names(session, activity.school_id)
    allowed = involved
    if actor.role == Role.HEAD_TEACHER:
        allowed = involved & set(actor.head_of_classroom_ids)
    return {cid: name for cid, name in names.items() if cid in allowed}


def signin_roster(session: Session, actor: Actor, activity_id: int) -> pd.DataFrame:
    """Enrolled children of the involved classes the actor may sign in, with current ticks.

    Columns: ROSTER_COLUMNS. Left-behind children are marked (`left_behind`), ordered by class.
    """
    rooms = signin_classrooms(session, actor, activity_id)
    ticked = set(
        session.scalars(
            select(Participation.child_id).where(
                Participation.activity_id == activity_id, attended_condition()
            )
        )
    )
    children = session.execute(
        select(
            Child.id,
            Child.name,
            Child.student_no,
            Child.classroom_id,
            Child.left_behind_type,
        )
        .where(
            Child.classroom_id.in_(list(rooms) or [-1]),
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
        .order_by(Child.classroom_id, Child.student_no)
    ).all()
    order = {cid: i for i, cid in enumerate(rooms)}
    rows = [
        {
            "child_id": c.id,
            "name": c.name,
            "student_no": c.student_no,
            "classroom_id": c.classroom_id,
            "classroom": rooms[c.classroom_id],
            "left_behind": LeftBehindType(c.left_behind_type) != LeftBehindType.NONE,
            "left_behind_type": LeftBehindType(c.left_behind_type).value,
            "attended": c.id in ticked,
        }
        for c in sorted(children, key=lambda c: (order[c.classroom_id], c.student_no))
    ]
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def save_signin(
    session: Session, actor: Actor, activity_id: int, attended_child_ids: set[int] | list[int]
) -> SigninResult:
    """Make attendance of the actor's roster exactly `attended_child_ids`, in one transaction.

    Each ticked child gets one Participation row with attended true (an unticked-then-ticked
    child's row is restored, never duplicated); a roster child not ticked keeps no live row
    (its row is marked not attended and soft-deleted). Children outside the actor's roster are
    refused (NotAllowed) and other classes' sign-ins are left untouched.
    """
    roster = signin_roster(session, actor, activity_id)
    roster_ids = set(int(c) for c in roster["child_id"])
    wanted = set(int(c) for c in attended_child_ids)
    if not wanted <= roster_ids:
        raise NotAllowed("child outside the sign-in roster")
    activity = session.get(Activity, activity_id)
    assert activity is not None
    existing = {
        p.child_id: p
        for p in session.scalars(
            select(Participation).where(
                Participation.activity_id == activity_id,
                Participation.child_id.in_(roster_ids or [-1]),
            )
        )
    }
    # Someone saving the same sheet at the same moment makes this a ConflictError.
    with race_guard(session, activity, activity.title):
        added, removed = _tick(session, actor, activity, existing, wanted, roster_ids)
    if added or removed:
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            "participation",
            activity_id,
            None,
            {"added": added, "removed": removed},
            detail=f"sign-in of activity {activity_id}",
        )
    return SigninResult(attended=len(wanted), added=len(added), removed=len(removed))


def _tick(
    session: Session,
    actor: Actor,
    activity: Activity,
    existing: dict[int, Participation],
    wanted: set[int],
    roster_ids: set[int],
) -> tuple[list[int], list[int]]:
    """Add, restore or soft-delete Participation rows so exactly `wanted` are ticked; returns
    (added, removed) child ids."""
    added, removed = [], []
    now = utcnow()
    for child_id in sorted(roster_ids):
        row = existing.get(child_id)
        live = row is not None and row.attended and row.deleted_at is None
        if child_id in wanted and not live:
            if row is None:
                session.add(
                    Participation(
                        school_id=activity.school_id,
                        activity_id=activity.id,
                        child_id=child_id,
                        attended=True,
                        created_by=actor.user_id,
                        updated_by=actor.user_id,
                    )
                )
            else:
                row.attended, row.deleted_at, row.deleted_by = True, None, None
                row.updated_by = actor.user_id
            added.append(child_id)
        elif child_id not in wanted and live:
            assert row is not None
            row.attended, row.deleted_at, row.deleted_by = False, now, actor.user_id
            row.updated_by = actor.user_id
            removed.append(child_id)
    return added, removed
