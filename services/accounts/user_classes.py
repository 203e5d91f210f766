"""Which classes a user heads (Classroom.head_teacher_id) and teaches (TeachingAssignment)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Classroom, TeachingAssignment, User
from services.actor import Actor
from services.rows import AuditAs, update_row

CLASSROOM_AUDIT = AuditAs("classroom")


def classes_of(
    session: Session, user_ids: list[int]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(head teacher of, teaches) class ids per user id."""
    heads: dict[int, set[int]] = {}
    taught: dict[int, set[int]] = {}
    if not user_ids:
        return heads, taught
    for room_id, head_id in session.execute(
        select(Classroom.id, Classroom.head_teacher_id).where(
            Classroom.head_teacher_id.in_(user_ids), Classroom.deleted_at.is_(None)
        )
    ):
        heads.setdefault(head_id, set()).add(room_id)
    for user_id, room_id in session.execute(
        select(TeachingAssignment.user_id, TeachingAssignment.classroom_id).where(
            TeachingAssignment.user_id.in_(user_ids)
        )
    ):
        taught.setdefault(user_id, set()).add(room_id)
    return heads, taught


def set_user_classes(
    session: Session,
    actor: Actor,
    user: User,
    head_of: frozenset[int] = frozenset(),
    taught: frozenset[int] = frozenset(),
) -> None:
    """Make `user` head teacher of exactly `head_of` and teacher of exactly `taught`;
    each classroom whose head teacher changes gets its own audit row."""
    rooms = session.scalars(
        select(Classroom).where(
            (Classroom.head_teacher_id == user.id) | Classroom.id.in_(head_of or [-1])
        )
    ).all()
    for room in rooms:
        wanted = user.id if room.id in head_of else None
        if room.head_teacher_id != wanted:
            values = {"head_teacher_id": wanted}
            update_row(session, actor, room, None, values, room.name, CLASSROOM_AUDIT)
    current = set(
        session.scalars(
            select(TeachingAssignment.classroom_id).where(TeachingAssignment.user_id == user.id)
        )
    )
    gone = current - taught
    if gone:
        session.execute(
            delete(TeachingAssignment).where(
                TeachingAssignment.user_id == user.id, TeachingAssignment.classroom_id.in_(gone)
            )
        )
    for room_id in sorted(taught - current):
        session.add(
            TeachingAssignment(
                school_id=user.school_id,
                user_id=user.id,
                classroom_id=room_id,
                created_by=actor.user_id or None,
            )
        )
    session.flush()
