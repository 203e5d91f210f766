"""The one optimistic-lock write for editable rows (DESIGN.md §4: `version`, soft delete).

Owns: creating a row, changing it at the version the user saw, soft-deleting and restoring it,
each with its audit entry (services/audit.py), and the one place where a lost race becomes
ConflictError naming who saved the row and when.

A race is lost in one of two ways. Someone saved since the user loaded the row: the stored
version is no longer the one the user saw (`check_version`; re-reading the row and comparing it
with itself would detect nothing). Or someone commits between our read and our write: the ORM's
`UPDATE … WHERE id=? AND version=<loaded>` matches no row and SQLAlchemy raises StaleDataError
at flush (`race_guard`). Changes to an existing row run in a SAVEPOINT, so after a lost flush
the transaction can still read who won; the page then rolls the whole action back. A third way
is for rows with a natural key (one observation per child and term): two users' first saves at
once — the second insert breaks the unique constraint (`create_unique_row`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from db.enums import AuditAction
from db.models import User
from services import audit, permissions
from services.actor import Actor
from services.errors import Conflict, ConflictError, NotAllowed, NotFound
from services.permissions import Action

T = TypeVar("T")


@dataclass(frozen=True)
class AuditAs:
    """How a table's writes appear in the audit log.

    `entity` defaults to the table name; `snapshot` picks the audited values (redact there);
    `action`, when set, is logged instead of create/update (settings log SETTINGS).
    """

    entity: str | None = None
    snapshot: Callable[[Any], dict[str, Any]] = audit.snapshot
    action: AuditAction | None = None


TABLE = AuditAs()


class SeenRow(Protocol):
    """A row as the user saw it: its id, its version then, a label for messages."""

    id: int
    version: int
    label: str


def conflict_for(session: Session, obj: Any, label: str) -> Conflict:
    """Who last changed `obj`, and when, for the conflict message."""
    who = session.get(User, obj.updated_by) if obj.updated_by else None
    return Conflict(
        row=label,
        entity_id=obj.id,
        changed_by=who.display_name if who else None,
        changed_at=obj.updated_at,
    )


def check_version(session: Session, obj: Any, seen_version: int, label: str) -> None:
    """Refuse (ConflictError) a row that is no longer at the version the user saw, or deleted."""
    if obj.version != seen_version or obj.deleted_at is not None:
        raise ConflictError([conflict_for(session, obj, label)])


def find_conflicts(session: Session, model: type, rows: Iterable[SeenRow]) -> list[Conflict]:
    """Every row whose stored version is no longer the one the user saw (or that is gone), so
    a grid save can refuse them all at once before writing anything."""
    conflicts = []
    for row in rows:
        obj = session.get(model, row.id)
        if obj is None:
            conflicts.append(Conflict(row.label, row.id, changed_by=None, changed_at=None))
        elif obj.version != row.version or obj.deleted_at is not None:
            conflicts.append(conflict_for(session, obj, row.label))
    return conflicts


@contextmanager
def race_guard(session: Session, obj: Any, label: str) -> Iterator[None]:
    """Run the body's changes in a SAVEPOINT and flush them; when another transaction changed a
    row they touch first (StaleDataError), undo them and raise ConflictError about `obj`."""
    entity_id, loaded_version = obj.id, obj.version
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError as exc:
        raise ConflictError([_lost_to(session, obj, entity_id, loaded_version, label)]) from exc


def _lost_to(session: Session, obj: Any, entity_id: int, loaded: int, label: str) -> Conflict:
    """After the savepoint's rollback `obj` reloads; if `obj` itself changed, say who did."""
    try:
        if obj.version != loaded:
            return conflict_for(session, obj, label)
    except ObjectDeletedError:
        pass
    return Conflict(label, entity_id, changed_by=None, changed_at=None)


@contextmanager
def creating(session: Session, actor: Actor, obj: Any, audit_as: AuditAs = TABLE) -> Iterator[None]:
    """Add `obj` (flushed: it has its id in the body, where rows belonging to it may be added),
    then audit the new row."""
    obj.created_by = obj.updated_by = _by(actor)
    session.add(obj)
    session.flush()
    yield
    action = audit_as.action or AuditAction.CREATE
    audit.record(
        session, actor, action, _entity(obj, audit_as), obj.id, None, audit_as.snapshot(obj)
    )


def create_row(session: Session, actor: Actor, obj: Any, audit_as: AuditAs = TABLE) -> None:
    """Add `obj` as created by the actor; audited."""
    with creating(session, actor, obj, audit_as):
        pass


def create_unique_row(session: Session, actor: Actor, obj: Any, clash: Conflict) -> None:
    """`create_row` for a row with a natural key (one observation per child and term): a row
    that another transaction created first under the same key (two teachers' first save of one
    child at once) is ConflictError([clash]) instead of a database error. In a SAVEPOINT."""
    try:
        with session.begin_nested():
            create_row(session, actor, obj)
    except IntegrityError as exc:
        if not _unique_violation(exc):
            raise
        session.expunge(obj) if obj in session else None
        raise ConflictError([clash]) from exc


def _unique_violation(exc: IntegrityError) -> bool:
    """The error is a unique key clash (PostgreSQL SQLSTATE 23505, SQLite's UNIQUE message)."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


@contextmanager
def editing(
    session: Session,
    actor: Actor,
    obj: Any,
    seen_version: int | None,
    label: str,
    audit_as: AuditAs = TABLE,
) -> Iterator[None]:
    """Let the body change `obj` (and rows belonging to it) if `obj` is still at `seen_version`;
    flush under `race_guard` and audit before/after.

    `seen_version` None is for actions that do not depend on what the user saw (disabling a
    user); a save committed meanwhile still loses at flush.
    """
    if seen_version is not None:
        check_version(session, obj, seen_version, label)
    before = audit_as.snapshot(obj)
    with race_guard(session, obj, label):
        yield
        obj.updated_by = _by(actor)
    action = audit_as.action or AuditAction.UPDATE
    after = audit_as.snapshot(obj)
    audit.record(session, actor, action, _entity(obj, audit_as), obj.id, before, after)


def update_row(
    session: Session,
    actor: Actor,
    obj: Any,
    seen_version: int | None,
    values: dict[str, Any],
    label: str,
    audit_as: AuditAs = TABLE,
) -> None:
    """Apply `values` to `obj` if it is still at `seen_version`; audited."""
    with editing(session, actor, obj, seen_version, label, audit_as):
        for name, value in values.items():
            setattr(obj, name, value)


def soft_delete_row(
    session: Session,
    actor: Actor,
    obj: Any,
    seen_version: int,
    label: str,
    audit_as: AuditAs = TABLE,
) -> None:
    """Mark `obj` deleted (restorable) if it is still at `seen_version`; audited."""
    check_version(session, obj, seen_version, label)
    with race_guard(session, obj, label):
        obj.deleted_at = datetime.now().astimezone()
        obj.deleted_by = obj.updated_by = _by(actor)
    audit.record(session, actor, AuditAction.DELETE, _entity(obj, audit_as), obj.id)


def restore_row(
    session: Session,
    actor: Actor,
    obj: Any,
    label: str | None = None,
    audit_as: AuditAs = TABLE,
) -> None:
    """Undo a soft delete (principal/admin); audited. A row not deleted is left alone."""
    permissions.require(actor, Action.UNDELETE)
    if obj.deleted_at is None:
        return
    with race_guard(session, obj, label or str(obj.id)):
        obj.deleted_at = obj.deleted_by = None
        obj.updated_by = _by(actor)
    audit.record(session, actor, AuditAction.RESTORE, _entity(obj, audit_as), obj.id)


def restore_rows(
    session: Session, actor: Actor, model: Any, ids: list[int], *, needs_school: bool = False
) -> int:
    """Undo the soft deletes of the school's `model` rows with these ids (principal/admin);
    returns how many were found."""
    permissions.require(actor, Action.UNDELETE, needs_school=needs_school)
    rows = session.scalars(
        select(model).where(model.id.in_(ids), model.school_id == actor.school_id)
    ).all()
    for row in rows:
        restore_row(session, actor, row)
    return len(rows)


def school_row(
    session: Session, model: type[T], row_id: int, school_id: int | None, what: str
) -> T:
    """The row of `model` with this id: NotFound when missing or soft-deleted, NotAllowed
    when it belongs to another school."""
    row: Any = session.get(model, row_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(what)
    if row.school_id != school_id:
        raise NotAllowed("other school")
    return row


def _by(actor: Actor) -> int | None:
    return actor.user_id or None  # the server's system actor (id 0) is nobody's user id


def _entity(obj: Any, audit_as: AuditAs) -> str:
    return audit_as.entity or obj.__tablename__
