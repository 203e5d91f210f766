"""Writing a checked import plan: new classes, inserted and updated children, history, audit.

Called only by services/importing/plan.py `apply_import`, inside the page's one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.enums import AuditAction, EnrolmentStatus, LeftBehindType
from db.models import Child, Classroom, LeftBehindHistory
from locales import t
from services import audit
from services.actor import Actor

if TYPE_CHECKING:
    from services.importing.dry_run import DryRun
    from services.importing.parsing import Progress
    from services.importing.plan import ImportPlan, PlannedRow

INSERT, UPDATE, UNCHANGED = "insert", "update", "unchanged"
CHUNK = 500
# Non-null columns and their defaults, so every inserted row carries the same keys.
_INSERT_DEFAULTS: dict[str, object] = {
    "boarding": False,
    "is_key": False,
    "key_reasons": [],
    "left_behind_type": LeftBehindType.NONE,
    "enrolment_status": EnrolmentStatus.ENROLLED,
    "version": 1,
}


def record_import(
    session: Session,
    actor: Actor,
    entity: str,
    detail_key: str,
    plan: DryRun,
    inserted: int,
    updated: int,
    new_ids: list[int],
) -> None:
    """The one audit entry of an import: the file, the counts, the new classes and ids."""
    audit.record(
        session,
        actor,
        AuditAction.IMPORT,
        entity,
        None,
        after={
            "file": plan.file_name,
            "inserted": inserted,
            "updated": updated,
            "unchanged": len(plan.rows) - inserted - updated,
            "new_classrooms": sorted(plan.new_classrooms.values()),
            "inserted_ids": new_ids,
        },
        detail=t(detail_key, file=plan.file_name, inserted=inserted, updated=updated),
    )


def write_plan(
    session: Session, actor: Actor, plan: ImportPlan, today: date, progress: Progress | None
) -> list[str]:
    """Write `plan` (already free of problems); returns the names of classes it created."""
    room_ids = _create_classrooms(session, actor, plan.new_classrooms)
    inserts = [_row_values(r, room_ids) for r in plan.rows if r.action == INSERT]
    updates = [(r.child_id, _row_values(r, room_ids)) for r in plan.rows if r.action == UPDATE]
    if progress:
        progress(0.75, t("import.progress.writing", rows=len(inserts) + len(updates)))
    new_ids = _insert_children(session, actor, inserts, today)
    if progress:
        progress(0.9, t("import.progress.updating", rows=len(updates)))
    _update_children(session, actor, updates, today)  # type: ignore[arg-type]
    record_import(
        session, actor, "child", "import.audit_detail", plan, len(inserts), len(updates), new_ids
    )
    if progress:
        progress(1.0, t("import.progress.done"))
    return sorted(plan.new_classrooms.values())


def _create_classrooms(
    session: Session, actor: Actor, new: dict[tuple[int, int], str]
) -> dict[tuple[int, int], int]:
    ids = {}
    for (grade, number), name in sorted(new.items()):
        room = Classroom(
            school_id=actor.school_id,
            grade=grade,
            number=number,
            name=name,
            created_by=actor.user_id,
            updated_by=actor.user_id,
        )
        session.add(room)
        session.flush()
        audit.record(
            session, actor, AuditAction.CREATE, "classroom", room.id, after=audit.snapshot(room)
        )
        ids[(grade, number)] = room.id
    return ids


def _row_values(row: PlannedRow, room_ids: dict[tuple[int, int], int]) -> dict[str, object]:
    """The row's column values, with the id of its class (also of one this import creates)."""
    values = dict(row.values)
    if row.room_key in room_ids:
        values["classroom_id"] = room_ids[row.room_key]  # type: ignore[index]
    return values


def _insert_children(
    session: Session, actor: Actor, records: list[dict[str, object]], today: date
) -> list[int]:
    """Bulk insert (one statement per chunk) with the same keys in every row."""
    if not records:
        return []
    keys = set().union(*records)
    base = {k: None for k in keys} | _INSERT_DEFAULTS
    base |= {"school_id": actor.school_id, "created_by": actor.user_id, "updated_by": actor.user_id}
    full = [base | {k: val for k, val in rec.items()} for rec in records]
    ids: list[int] = []
    for start in range(0, len(full), CHUNK):
        statement = insert(Child).returning(Child.id, sort_by_parameter_order=True)
        ids.extend(session.scalars(statement, full[start : start + CHUNK]).all())
    history = [
        {
            "school_id": actor.school_id,
            "child_id": child_id,
            "left_behind_type": rec["left_behind_type"],
            "valid_from": rec.get("left_behind_since") or today,
            "valid_to": None,
            "note": t("import.history_note"),
            "created_by": actor.user_id,
            "updated_by": actor.user_id,
        }
        for child_id, rec in zip(ids, full, strict=True)
        if rec["left_behind_type"] != LeftBehindType.NONE
    ]
    if history:
        session.execute(insert(LeftBehindHistory), history)
    return ids


def _update_children(
    session: Session, actor: Actor, updates: list[tuple[int, dict[str, object]]], today: date
) -> None:
    """Give each child (id) its new values, in the plan's order; audited one by one."""
    for start in range(0, len(updates), CHUNK):
        chunk = updates[start : start + CHUNK]
        ids = [child_id for child_id, _ in chunk]
        children = {c.id: c for c in session.scalars(select(Child).where(Child.id.in_(ids)))}
        for child_id, values in chunk:
            child = children[child_id]
            before = audit.snapshot(child)
            old_type = child.left_behind_type
            for name, value in values.items():
                setattr(child, name, value)
            child.updated_by = actor.user_id
            if child.left_behind_type != old_type:
                _record_type_change(session, actor, child, today)
            session.flush()
            audit.record(
                session, actor, AuditAction.UPDATE, "child", child.id, before, audit.snapshot(child)
            )


def _record_type_change(session: Session, actor: Actor, child: Child, today: date) -> None:
    """Close the open left-behind period and open a new one (the history is kept)."""
    open_rows = session.scalars(
        select(LeftBehindHistory).where(
            LeftBehindHistory.child_id == child.id, LeftBehindHistory.valid_to.is_(None)
        )
    )
    for history in open_rows:
        history.valid_to = today
    if child.left_behind_type != LeftBehindType.NONE:
        session.add(
            LeftBehindHistory(
                school_id=child.school_id,
                child_id=child.id,
                left_behind_type=child.left_behind_type,
                valid_from=today,
                note=t("import.history_note"),
                created_by=actor.user_id,
                updated_by=actor.user_id,
            )
        )
