"""A link to one child's record (一人一档 at `?child=<id>`) can be shared; opening it is allowed by
the same scope rule as every other read (services/scope.py). A refused link is written to the
audit log (view_restricted, not ok), so a record opened outside one's scope leaves a trace."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.enums import AuditAction
from services import audit
from services.actor import Actor
from services.errors import NotAllowed, NotFound
from services.scope import ensure_child_visible

ENTITY = "children"


def open_child_link(session: Session, actor: Actor, child_id: int) -> bool:
    """True when `actor` may open child `child_id`; otherwise an audit row (refused) and False.

    Runs in a write session: the refusal's audit row is committed with it."""
    try:
        child = ensure_child_visible(session, actor, child_id) if child_id > 0 else None
    except (NotAllowed, NotFound) as exc:
        reason = "not found" if isinstance(exc, NotFound) else "outside the actor's scope"
    else:
        if child is not None and child.deleted_at is None:
            return True
        reason = "not found" if child is None else "deleted"
    audit.record(
        session,
        actor,
        AuditAction.VIEW_RESTRICTED,
        ENTITY,
        child_id if child_id > 0 else None,
        ok=False,
        detail=f"link to a child record refused: {reason}",
    )
    return False
