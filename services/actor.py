"""The acting user, as services see it: plain data, built once per page run.

At the top of services/ (not in accounts/): audit, rows and permissions need the Actor and
accounts needs them, so the Actor stands below both and the package graph has no loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Classroom, TeachingAssignment, User
from services.errors import NotAllowed, NotFound

SCHOOL_WIDE_ROLES = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.COUNSELLOR})
RESTRICTED_NOTE_ROLES = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.COUNSELLOR})


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    role: Role
    school_id: int | None
    county: str | None = None
    # Classes this user is head teacher of (drives the head teacher's scope).
    head_of_classroom_ids: frozenset[int] = field(default_factory=frozenset)
    taught_classroom_ids: frozenset[int] = field(default_factory=frozenset)
    # Demo mode (演示模式): a principal or admin showing the app on a projector sees masked data.
    demo_mode: bool = False

    @property
    def sees_masked(self) -> bool:
        """Names and phones of children are masked for the bureau and in demo mode (§7)."""
        return self.demo_mode or self.role == Role.BUREAU

    @property
    def is_school_wide(self) -> bool:
        return self.role in SCHOOL_WIDE_ROLES

    def require(self, *roles: Role) -> None:
        """Raise NotAllowed unless the actor has one of `roles`."""
        if self.role not in roles:
            raise NotAllowed(f"role {self.role} may not do this")


SYSTEM_ACTOR = Actor(
    user_id=0, username="system", display_name="system", role=Role.ADMIN, school_id=None
)


def load_actor(session: Session, user_id: int) -> Actor:
    """Build the Actor for an active user id (raises NotFound / NotAllowed)."""
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("user")
    if not user.active:
        raise NotAllowed("user disabled")
    head_of = session.scalars(
        select(Classroom.id).where(
            Classroom.head_teacher_id == user.id, Classroom.deleted_at.is_(None)
        )
    ).all()
    taught = session.scalars(
        select(TeachingAssignment.classroom_id).where(TeachingAssignment.user_id == user.id)
    ).all()
    return actor_of(user, head_of, taught)


def actor_of(user: User, head_of: Iterable[int], taught: Iterable[int]) -> Actor:
    """The Actor of a loaded user row and the classes it heads and teaches."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        school_id=user.school_id,
        county=user.county,
        head_of_classroom_ids=frozenset(head_of),
        taught_classroom_ids=frozenset(taught),
    )
