"""成长观察 (issue 17 item 2): a term's observations of a class's left-behind children as one grid.

The grid has one row per left-behind child in view; its `id` is the CHILD's id and its `version`
the version of that child's observation in the term (0 = none yet), so the shared grid's
optimistic locking works for new and existing observations alike (as services/care/health.py).
Who is in view: a class of the school (principal, admin), a class the head teacher heads, or the
children paired with a teacher in that term. A row with any scale needs all four; clearing every
cell of a row removes its observation (soft delete); a removed one is revived, not inserted
again (one observation per child and term).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType
from db.growth_models import SCALE_COLUMNS, SCALE_MAX, SCALE_MIN, GrowthObservation
from db.models import Child, Classroom, Pairing, Term
from locales import enum_label, t
from services import permissions
from services.actor import Actor
from services.errors import Conflict, ConflictError, NotAllowed, Problem, ValidationFailed
from services.growth.access import require_observer
from services.permissions import Action, Scope
from services.records.grid_rows import GridChanges, Page, RowUpdate, SaveResult
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    check_changes,
    is_empty,
    problem,
    read_only_columns,
)
from services.rows import (
    conflict_for,
    create_unique_row,
    school_row,
    soft_delete_row,
    update_row,
)

EDITOR_ROLES = permissions.roles_with(Action.EDIT_OBSERVATIONS)
NOTE_MAX = 200
MY_PAIRED = 0  # the class choice "我结对的儿童" (no classroom has id 0)
SCORES = tuple(str(n) for n in range(SCALE_MIN, SCALE_MAX + 1))
FRAME_COLUMNS = ["id", "version", "name", "classroom", "left_behind", *SCALE_COLUMNS, "note"]


@dataclass(frozen=True)
class ScaleSpec(ColumnSpec):
    """A 1–5 scale column whose options read as the number and its anchor: 3 基本完成学习任务
    (a pasted 3 or the whole label is accepted: services.records.specs.coerce)."""

    def option_label(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return t(
            "growth_observations.option",
            score=value,
            anchor=t(f"growth.anchor.{self.field}.{value}"),
        )


def observation_specs(with_class: bool = True) -> list[ColumnSpec]:
    """Grid columns: name, class (where the rows span classes) and 留守 type read-only, the four
    scales (narrow: the number and the anchor's start; the dropdown shows it whole) and the
    note, so a class fits a laptop's screen."""
    editors = frozenset(EDITOR_ROLES)
    scales: list[ColumnSpec] = [
        ScaleSpec(
            scale,
            f"growth_observations.col.{scale}",
            ColumnType.SELECT,
            options=SCORES,
            edit_roles=editors,
            width=120,
        )
        for scale in SCALE_COLUMNS
    ]
    room = {"classroom": 100} if with_class else {}
    return [
        *read_only_columns("growth_observations", {"name": 90, **room, "left_behind": 90}),
        *scales,
        ColumnSpec(
            "note",
            "growth_observations.col.note",
            validator=_note_length,
            edit_roles=editors,
            width=180,
        ),
    ]


def _note_length(value: Any) -> str | None:
    return "growth_observations.reason.note_long" if len(str(value)) > NOTE_MAX else None


# ---- who is in view ---------------------------------------------------------------------------


def observation_classrooms(session: Session, actor: Actor) -> dict[int, str]:
    """Classes the actor rates: the school's, or a head teacher's own — then MY_PAIRED (我结对的
    儿童) when the actor is paired with children, who may be in other classes (the issue: the head
    teacher OR the paired teacher rates); none for a paired teacher (her children come without a
    class choice)."""
    scope = require_observer(actor)
    if scope is Scope.OWN_PAIRED:
        return {}
    query = select(Classroom.id, Classroom.name).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if scope is Scope.OWN_CLASSES:
        query = query.where(Classroom.id.in_(actor.head_of_classroom_ids or [-1]))
    rows = session.execute(query.order_by(Classroom.grade, Classroom.number))
    rooms = {cid: name for cid, name in rows}
    paired = select(Pairing.id).where(
        Pairing.teacher_id == actor.user_id, Pairing.deleted_at.is_(None)
    )
    if session.scalar(paired.limit(1)) is not None:
        rooms[MY_PAIRED] = t("growth_observations.filter.my_paired")
    return rooms


def picks_class(actor: Actor) -> bool:
    """Whether the actor chooses a class (paired teachers see their children directly)."""
    return require_observer(actor) is not Scope.OWN_PAIRED


def _in_view(
    session: Session, actor: Actor, term_id: int, classroom_id: int | None
) -> list[ColumnElement[bool]]:
    """Conditions on Child for the rows of the grid (refuses a class or term outside scope)."""
    scope = require_observer(actor)
    school_row(session, Term, term_id, actor.school_id, "term")
    where = [
        Child.school_id == actor.school_id,
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
        Child.left_behind_type != LeftBehindType.NONE,
    ]
    if scope is Scope.OWN_PAIRED or classroom_id == MY_PAIRED:
        paired = select(Pairing.child_id).where(
            Pairing.teacher_id == actor.user_id,
            Pairing.term_id == term_id,
            Pairing.deleted_at.is_(None),
        )
        return [*where, Child.id.in_(paired)]
    if classroom_id is None:
        raise NotAllowed("a class must be chosen")
    school_row(session, Classroom, classroom_id, actor.school_id, "classroom")
    if scope is Scope.OWN_CLASSES and classroom_id not in actor.head_of_classroom_ids:
        raise NotAllowed("not the actor's class")
    return [*where, Child.classroom_id == classroom_id]


def children_in_view(session: Session, actor: Actor, term_id: int, classroom_id: int | None) -> int:
    """How many rows the grid has (the page says so instead of an empty grid)."""
    where = _in_view(session, actor, term_id, classroom_id)
    return session.scalar(select(func.count(Child.id)).where(*where)) or 0


def _stored(session: Session, term_id: int, child_ids: list[int]) -> dict[int, GrowthObservation]:
    """child id → its observation of the term, removed ones included (they are revived)."""
    rows = session.scalars(
        select(GrowthObservation).where(
            GrowthObservation.term_id == term_id,
            GrowthObservation.child_id.in_(child_ids or [-1]),
        )
    )
    return {row.child_id: row for row in rows}


def _live(row: GrowthObservation | None) -> GrowthObservation | None:
    return row if row is not None and row.deleted_at is None else None


# ---- the grid's rows ------------------------------------------------------------------------


def observation_frame(
    session: Session, actor: Actor, term_id: int, classroom_id: int | None
) -> pd.DataFrame:
    """One row per left-behind child in view (FRAME_COLUMNS); scales as "1"–"5" or None."""
    children = session.execute(
        select(Child.id, Child.name, Classroom.name, Child.left_behind_type)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*_in_view(session, actor, term_id, classroom_id))
        .order_by(Classroom.grade, Classroom.number, Child.student_no)
    ).all()
    stored = _stored(session, term_id, [c.id for c in children])
    rows = []
    for child_id, name, room, left_behind in children:
        row = _live(stored.get(child_id))
        rows.append(
            {
                "id": child_id,
                "version": row.version if row else 0,
                "name": name,
                "classroom": room,
                "left_behind": enum_label(LeftBehindType(left_behind)),
                **{s: str(getattr(row, s)) if row else None for s in SCALE_COLUMNS},
                "note": row.note if row else None,
            }
        )
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def observation_page(
    session: Session, actor: Actor, term_id: int, classroom_id: int | None
) -> Page:
    """The whole grid as one page: a class, even of sixty, is rated on one screen."""
    frame = observation_frame(session, actor, term_id, classroom_id)
    return Page(frame, len(frame))


# ---- saving -----------------------------------------------------------------------------------


def save_observations(
    session: Session,
    actor: Actor,
    changes: GridChanges,
    term_id: int,
    classroom_id: int | None,
) -> SaveResult:
    """Write the grid's changes, the actor as observer. Any problem (a scale without the other
    three, a note over 200 characters, an unknown value) raises ValidationFailed naming the
    child, the column and the reason, and nothing is written."""
    if changes.inserts or changes.deletes:
        raise NotAllowed("the observation grid only edits the children in view")
    in_view = set(
        session.scalars(select(Child.id).where(*_in_view(session, actor, term_id, classroom_id)))
    )
    if not {u.id for u in changes.updates} <= in_view:
        raise NotAllowed("child outside the actor's view")
    specs = observation_specs()
    problems = check_changes(specs, actor, changes)
    stored = _stored(session, term_id, [u.id for u in changes.updates])
    by_field = {s.field: s for s in specs}
    for update in changes.updates:
        problems += _row_problems(update, _live(stored.get(update.id)), by_field)
    if problems:
        raise ValidationFailed(problems)
    conflicts = [_conflict(session, u, _live(stored.get(u.id))) for u in changes.updates]
    if any(conflicts):
        raise ConflictError([c for c in conflicts if c is not None])
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for update in changes.updates:
        done = _write(session, actor, term_id, update, stored.get(update.id))
        if done is not None:
            counts[done] += 1
    return SaveResult(**counts)


def _merged(update: RowUpdate, live: GrowthObservation | None) -> dict[str, Any]:
    """The row as it will be: the stored values with the user's changes over them."""
    fields = [*SCALE_COLUMNS, "note"]
    return {f: getattr(live, f) if live else None for f in fields} | update.values


def _row_problems(
    update: RowUpdate, live: GrowthObservation | None, by_field: dict[str, ColumnSpec]
) -> list[Problem]:
    """A row with any scale or a note needs all four scales."""
    merged = _merged(update, live)
    if all(is_empty(v) for v in merged.values()):
        return []
    return [
        problem(update.label, by_field[s], None, "growth_observations.reason.all_scales")
        for s in SCALE_COLUMNS
        if is_empty(merged[s])
    ]


def _conflict(
    session: Session, update: RowUpdate, live: GrowthObservation | None
) -> Conflict | None:
    """A Conflict when the observation is no longer as the user saw it (0 = none)."""
    if (live.version if live else 0) == update.version:
        return None
    if live is not None:
        return conflict_for(session, live, update.label)
    return Conflict(row=update.label, entity_id=update.id, changed_by=None, changed_at=None)


def _write(
    session: Session, actor: Actor, term_id: int, update: RowUpdate, row: GrowthObservation | None
) -> str | None:
    """Create, update, revive or (every cell cleared) remove one child's observation; which
    (None: nothing to write)."""
    merged = _merged(update, _live(row))
    if all(is_empty(v) for v in merged.values()):
        if _live(row) is None:
            return None
        soft_delete_row(session, actor, row, update.version, update.label)
        return "deleted"
    values: dict[str, Any] = {s: int(merged[s]) for s in SCALE_COLUMNS}
    values |= {"note": merged["note"] or None, "observer_id": actor.user_id or None}
    if _live(row) is not None:
        update_row(session, actor, row, update.version, values, update.label)
        return "updated"
    if row is not None:  # removed earlier: the one row of this child and term comes back
        revived = values | {"deleted_at": None, "deleted_by": None}
        update_row(session, actor, row, None, revived, update.label)
        return "created"
    observation = GrowthObservation(
        school_id=actor.school_id, child_id=update.id, term_id=term_id, **values
    )
    clash = Conflict(row=update.label, entity_id=update.id, changed_by=None, changed_at=None)
    create_unique_row(session, actor, observation, clash)
    return "created"
