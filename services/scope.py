"""Who may see which children (DESIGN.md §5), as SQL conditions and checks."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Child, Pairing, School
from services.actor import Actor
from services.errors import NotAllowed, NotFound


def paired_child_ids(actor: Actor):  # type: ignore[no-untyped-def]
    """Subquery of the children currently paired with the actor (any term, not deleted)."""
    return select(Pairing.child_id).where(
        Pairing.teacher_id == actor.user_id, Pairing.deleted_at.is_(None)
    )


def child_visibility(actor: Actor) -> ColumnElement[bool]:
    """A WHERE condition on Child limiting rows to what `actor` may see."""
    if actor.role == Role.BUREAU:
        county_schools = select(School.id).where(School.county == actor.county)
        return Child.school_id.in_(county_schools)
    if actor.school_id is None:
        return false()
    in_school = Child.school_id == actor.school_id
    if actor.is_school_wide:
        return in_school
    if actor.role == Role.HEAD_TEACHER:
        return in_school & or_(
            Child.classroom_id.in_(actor.head_of_classroom_ids or [-1]),
            Child.id.in_(paired_child_ids(actor)),
        )
    if actor.role == Role.TEACHER:
        return in_school & Child.id.in_(paired_child_ids(actor))
    return false()


def ensure_child_visible(session: Session, actor: Actor, child_id: int) -> Child:
    """Return the child if `actor` may see its full record; NotFound if absent, NotAllowed if not.

    The bureau never sees one child's full record: it gets aggregates and masked lists only.
    """
    if actor.role == Role.BUREAU:
        raise NotAllowed("the bureau sees aggregates and masked lists only")
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound("child")
    visible = session.scalar(select(Child.id).where(Child.id == child_id, child_visibility(actor)))
    if visible is None:
        raise NotAllowed("child outside the actor's scope")
    return child


def ensure_school(actor: Actor, school_id: int) -> None:
    """Refuse any access to another school's records."""
    if actor.role == Role.BUREAU or actor.school_id != school_id:
        raise NotAllowed("other school")


def school_ids_in_view(session: Session, actor: Actor) -> list[int]:
    """The schools whose aggregates `actor` may see: own school, or the county for the bureau."""
    if actor.role == Role.BUREAU:
        return list(
            session.scalars(
                select(School.id).where(School.county == actor.county, School.deleted_at.is_(None))
            )
        )
    return [actor.school_id] if actor.school_id is not None else []
