"""The steps every grid save and 最近删除 list share, around services/rows.py's row writes.

A save checks everything first and writes all of it or nothing: `refuse` stops it on any problem
or on any row changed since the user saw it; `delete_and_count` ends it. `list_deleted` is the
"recently deleted" list a leader restores from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy.orm import Session

from db.models import User
from services.actor import Actor
from services.errors import ConflictError, NotFound, Problem, ValidationFailed
from services.records.grid_rows import GridChanges, SaveResult
from services.rows import find_conflicts, soft_delete_row


def changed_rows(
    session: Session,
    actor: Actor,
    model: Any,
    changes: GridChanges,
    what: str,
    check: Callable[[Any], object] | None = None,
) -> dict[int, Any]:
    """id → stored row for every updated or deleted row: NotFound (`what`) when it is missing or
    another school's; `check` (e.g. the child is in the actor's scope) runs on each in turn."""
    existing = {}
    for row in [*changes.updates, *changes.deletes]:
        stored = session.get(model, row.id)
        if stored is None or stored.school_id != actor.school_id:
            raise NotFound(what)
        if check is not None:
            check(stored)
        existing[row.id] = stored
    return existing


def refuse(session: Session, model: Any, problems: list[Problem], changes: GridChanges) -> None:
    """Stop the save before it writes: every problem (ValidationFailed), else every updated or
    deleted row someone else changed since the user saw it (ConflictError)."""
    if problems:
        raise ValidationFailed(problems)
    conflicts = find_conflicts(session, model, [*changes.updates, *changes.deletes])
    if conflicts:
        raise ConflictError(conflicts)


def delete_and_count(
    session: Session, actor: Actor, existing: dict[int, Any], changes: GridChanges
) -> SaveResult:
    """The save's last step: soft-delete the deleted rows (`existing`: id → stored row); then
    what the save did."""
    for delete in changes.deletes:
        soft_delete_row(session, actor, existing[delete.id], delete.version, delete.label)
    return SaveResult(len(changes.inserts), len(changes.updates), len(changes.deletes))


def list_deleted(
    session: Session, actor: Actor, model: Any, query: Select, columns: list[str], limit: int
) -> pd.DataFrame:
    """The school's soft-deleted `model` rows, newest first: `query`'s columns (named `columns`),
    then deleted_at and deleted_by (who deleted the row)."""
    rows = session.execute(
        query.add_columns(model.deleted_at, User.display_name)
        .outerjoin(User, User.id == model.deleted_by)
        .where(model.school_id == actor.school_id, model.deleted_at.is_not(None))
        .order_by(model.deleted_at.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=[*columns, "deleted_at", "deleted_by"])
