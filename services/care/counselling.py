"""Counselling notes (心理辅导记录): restricted to the counsellor, the principal and the admin.

Every function that returns note content writes an AuditEntry (action view_restricted) in the
caller's transaction, so pages must call them inside `write_session`, not `read_session`: a
rolled-back view would leave no trace. Other roles are refused here with NotAllowed, whatever
the page shows.

`high_risk_child_ids` returns no note content, only which children had a high-risk note lately
(the risk list's rule); it is filtered to the children the actor may see and returns an empty
set for roles that have no risk list (teacher, bureau).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditAction, EnrolmentStatus, RiskLevel
from db.models import Child, Classroom, CounsellingNote, User
from locales import t
from locales.values import aside
from services import audit, permissions
from services.actor import Actor
from services.clock import school_today
from services.errors import NotAllowed, NotFound, Problem, ValidationFailed
from services.permissions import Action
from services.rows import AuditAs, create_row, school_row, soft_delete_row, update_row
from services.scope import child_visibility, ensure_child_visible

ENTITY = "counselling_notes"
MAX_SUMMARY = 5000
NOTE_COLUMNS = [
    "id",
    "version",
    "child_id",
    "child",
    "classroom",
    "note_date",
    "counsellor",
    "risk_level",
    "summary",
]
HIGH_RISK_DAYS = 183


@dataclass(frozen=True)
class NoteInput:
    child_id: int
    note_date: date
    summary: str
    risk_level: RiskLevel | str = RiskLevel.LOW


def _audit_view(
    session: Session, actor: Actor, note_ids: list[int], child_id: int | None = None
) -> None:
    audit.record(
        session,
        actor,
        AuditAction.VIEW_RESTRICTED,
        ENTITY,
        note_ids[0] if len(note_ids) == 1 else child_id,
        None,
        {"note_ids": note_ids},
        detail=f"viewed {len(note_ids)} counselling note(s)",
    )


def note_classrooms(session: Session, actor: Actor) -> dict[int, str]:
    """The school's classes, for picking a child."""
    permissions.require(actor, Action.VIEW_COUNSELLING)
    rows = session.execute(
        select(Classroom.id, Classroom.name)
        .where(Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None))
        .order_by(Classroom.grade, Classroom.number)
    )
    return {cid: name for cid, name in rows}


def note_children(session: Session, actor: Actor, classroom_id: int) -> dict[int, str]:
    """id → "name（student no）" of the enrolled children of a class."""
    permissions.require(actor, Action.VIEW_COUNSELLING)
    rows = session.execute(
        select(Child.id, Child.name, Child.student_no)
        .where(
            Child.classroom_id == classroom_id,
            child_visibility(actor),
            Child.deleted_at.is_(None),
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
        .order_by(Child.student_no)
    )
    return {cid: aside(name, no) for cid, name, no in rows}


def list_notes(
    session: Session,
    actor: Actor,
    child_id: int | None = None,
    risk_level: RiskLevel | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Notes of the school, newest first (NOTE_COLUMNS); the view is audited."""
    permissions.require(actor, Action.VIEW_COUNSELLING)
    query = (
        select(CounsellingNote, Child.name, Classroom.name, User.display_name)
        .join(Child, Child.id == CounsellingNote.child_id)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .outerjoin(User, User.id == CounsellingNote.counsellor_id)
        .where(
            CounsellingNote.school_id == actor.school_id,
            CounsellingNote.deleted_at.is_(None),
            child_visibility(actor),
        )
        .order_by(CounsellingNote.note_date.desc(), CounsellingNote.id.desc())
        .limit(limit)
    )
    if child_id is not None:
        query = query.where(CounsellingNote.child_id == child_id)
    if risk_level is not None:
        query = query.where(CounsellingNote.risk_level == risk_level)
    if date_from:
        query = query.where(CounsellingNote.note_date >= date_from)
    if date_to:
        query = query.where(CounsellingNote.note_date <= date_to)
    rows = [
        {
            "id": note.id,
            "version": note.version,
            "child_id": note.child_id,
            "child": child,
            "classroom": room,
            "note_date": note.note_date,
            "counsellor": counsellor,
            "risk_level": RiskLevel(note.risk_level).value,
            "summary": note.summary,
        }
        for note, child, room, counsellor in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    _audit_view(session, actor, [int(i) for i in frame["id"]], child_id)
    return frame


def get_note(session: Session, actor: Actor, note_id: int) -> dict:
    """One note as a dict of NOTE_COLUMNS; the view is audited."""
    permissions.require(actor, Action.VIEW_COUNSELLING)
    note = school_row(session, CounsellingNote, note_id, actor.school_id, "note")
    child = ensure_child_visible(session, actor, note.child_id)
    counsellor = session.get(User, note.counsellor_id) if note.counsellor_id else None
    room = session.get(Classroom, child.classroom_id) if child.classroom_id else None
    _audit_view(session, actor, [note.id])
    return {
        "id": note.id,
        "version": note.version,
        "child_id": note.child_id,
        "child": child.name,
        "classroom": room.name if room else None,
        "note_date": note.note_date,
        "counsellor": counsellor.display_name if counsellor else None,
        "risk_level": RiskLevel(note.risk_level).value,
        "summary": note.summary,
    }


def _check(item: NoteInput, label: str) -> list[Problem]:
    problems = []
    summary = (item.summary or "").strip()
    if not summary:
        problems.append(
            Problem(label, t("counselling.col.summary"), "", "counselling.reason.summary")
        )
    elif len(summary) > MAX_SUMMARY:
        problems.append(
            Problem(label, t("counselling.col.summary"), summary[:20] + "…",
                    "counselling.reason.summary_long")
        )  # fmt: skip
    if item.note_date is None or item.note_date > school_today():
        problems.append(
            Problem(label, t("counselling.col.note_date"), item.note_date,
                    "counselling.reason.date")
        )  # fmt: skip
    try:
        RiskLevel(item.risk_level)
    except ValueError:
        problems.append(
            Problem(label, t("counselling.col.risk_level"), item.risk_level,
                    "counselling.reason.risk")
        )  # fmt: skip
    return problems


def create_note(session: Session, actor: Actor, item: NoteInput) -> int:
    """Add a note written by the actor; audited as a create."""
    permissions.require(actor, Action.EDIT_COUNSELLING)
    child = ensure_child_visible(session, actor, item.child_id)
    if child.school_id != actor.school_id:
        raise NotAllowed("other school")
    problems = _check(item, child.name)
    if problems:
        raise ValidationFailed(problems)
    note = CounsellingNote(
        school_id=actor.school_id,
        child_id=child.id,
        counsellor_id=actor.user_id,
        note_date=item.note_date,
        summary=item.summary.strip(),
        risk_level=RiskLevel(item.risk_level),
    )
    create_row(session, actor, note, NOTE_AUDIT)
    return note.id


def _redacted(note: CounsellingNote) -> dict:
    """The audited snapshot without the note's text: the audit log is not a second copy of
    restricted content (its readers would bypass the view audit)."""
    snap = audit.snapshot(note)
    text = note.summary or ""
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    snap["summary"] = f"<{len(text)} chars, {digest}>"
    return snap


NOTE_AUDIT = AuditAs(ENTITY, _redacted)


def _load(session: Session, actor: Actor, note_id: int) -> CounsellingNote:
    note = session.get(CounsellingNote, note_id)
    if note is None:
        raise NotFound("note")
    if note.school_id != actor.school_id:
        raise NotAllowed("other school")
    return note


def update_note(
    session: Session, actor: Actor, note_id: int, seen_version: int, item: NoteInput
) -> None:
    """Change a note's date, summary and risk if nobody saved it since `seen_version`."""
    permissions.require(actor, Action.EDIT_COUNSELLING)
    note = _load(session, actor, note_id)
    child = ensure_child_visible(session, actor, note.child_id)
    problems = _check(item, child.name)
    if problems:
        raise ValidationFailed(problems)
    values = {
        "note_date": item.note_date,
        "summary": item.summary.strip(),
        "risk_level": RiskLevel(item.risk_level),
    }
    update_row(session, actor, note, seen_version, values, child.name, NOTE_AUDIT)


def delete_note(session: Session, actor: Actor, note_id: int, seen_version: int) -> None:
    """Soft-delete a note (restorable)."""
    permissions.require(actor, Action.EDIT_COUNSELLING)
    note = _load(session, actor, note_id)
    soft_delete_row(session, actor, note, seen_version, str(note_id), NOTE_AUDIT)


def high_risk_child_ids(
    session: Session, actor: Actor, since: date | None = None, today: date | None = None
) -> set[int]:
    """Children in the actor's view with a high-risk note on or after `since` (default: the
    last HIGH_RISK_DAYS days, the window services/compliance/risk.py uses for its list)."""
    if not permissions.allows(actor, Action.VIEW_HIGH_RISK):
        return set()
    since = since or (today or school_today()) - timedelta(days=HIGH_RISK_DAYS)
    rows = session.scalars(
        select(CounsellingNote.child_id)
        .join(Child, Child.id == CounsellingNote.child_id)
        .where(
            CounsellingNote.deleted_at.is_(None),
            CounsellingNote.risk_level == RiskLevel.HIGH,
            CounsellingNote.note_date >= since,
            child_visibility(actor),
            Child.deleted_at.is_(None),
        )
        .distinct()
    )
    return set(rows)
