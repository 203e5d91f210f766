"""成绩录入: a class's term results as one grid — a row per enrolled child, a column per subject.

Modelled on the health batch grid (services/care/health.py): a row's `id` is the CHILD's id.
A row holds several results (one per subject), so its `version` is the sum of the versions of
every result the child has in the term, deleted ones included: each write of any of them raises
it, so a save made meanwhile by someone else is seen as a conflict, as with a single row.

A cell takes a score or a grade (services/growth/results_values.py); a cleared cell deletes the
result (soft, audited), a result typed again into a deleted one revives it (one row per child,
term and subject). Every write goes through services/rows.py, then the groups it touched are
ranked again (services/growth/ranking.py), in the same transaction.
Subjects: 语文/数学/英语 and any other subject already stored for the class and term.
Over 300 lines: the grid's columns, rows and save are one table's reads and writes (as health).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.growth_models import TermResult
from db.models import Child, Classroom, Term
from locales import catalogue, current_language, enum_label
from services.actor import Actor
from services.errors import Conflict, ConflictError, NotAllowed, NotFound, ValidationFailed
from services.growth.access import require_results_editor
from services.growth.ranking import Group, group_of, rerank
from services.growth.results_values import (
    DEFAULT_SUBJECTS,
    SUBJECT_MAX_LEN,
    Result,
    parse_result,
    result_reason,
)
from services.growth.terms import child_terms
from services.permissions import Action, roles_with
from services.records.children import filter_options
from services.records.grid_rows import GridChanges, Page, RowUpdate, SaveResult
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    check_changes,
    problem,
    read_only_columns,
)
from services.rows import conflict_for, create_unique_row, soft_delete_row, update_row
from services.scope import child_visibility

SUBJECT_PREFIX = "subject_"  # a subject's grid field: subject_语文 (never clashes with `name`)
FIXED_COLUMNS = ["id", "version", "name", "student_no", "left_behind"]


def subject_field(subject: str) -> str:
    return SUBJECT_PREFIX + subject


def subject_label_key(subject: str) -> str:
    """The locale key of a default subject (English names them), else the subject as typed."""
    key = f"growth_results.subject.{subject}"
    return key if key in catalogue(current_language()) or key in catalogue("zh_CN") else subject


def result_specs(subjects: Iterable[str]) -> list[ColumnSpec]:
    """Grid columns: the child (read-only), one column per subject, the mean percentile."""
    editors = roles_with(Action.EDIT_RESULTS)
    return [
        *read_only_columns("growth_results", {"name": 90, "student_no": 150, "left_behind": 90}),
        *(subject_spec(s, editors) for s in subjects),
        ColumnSpec(
            "percentile",
            "growth_results.col.percentile",
            ColumnType.FLOAT,
            computed=True,
            width=90,
            number_format="%.1f",
        ),
    ]


def subject_spec(subject: str, editors: frozenset[Role]) -> ColumnSpec:
    """A subject's column: a score or a grade, checked by results_values."""
    label = subject_label_key(subject)
    return ColumnSpec(
        subject_field(subject), label, validator=result_reason, edit_roles=editors, width=70
    )


# ---- the class and term -----------------------------------------------------------------------


def results_classrooms(session: Session, actor: Actor) -> dict[int, str]:
    """Classes whose results the actor may enter: the school's, or a head teacher's own."""
    require_results_editor(actor)
    return filter_options(session, actor).classrooms


def classroom_for(session: Session, actor: Actor, classroom_id: int, term_id: int) -> Classroom:
    """The class, if the actor may enter its results for this term of the school."""
    if classroom_id not in results_classrooms(session, actor):
        raise NotAllowed("not a class of the actor's")
    term = session.get(Term, term_id)
    if term is None or term.deleted_at is not None:
        raise NotFound("term")
    if term.school_id != actor.school_id:
        raise NotAllowed("other school's term")
    return session.get_one(Classroom, classroom_id)


def class_children(session: Session, actor: Actor, classroom_id: int) -> list[Child]:
    """The enrolled children of the class the actor may see, by 学籍号."""
    return list(
        session.scalars(
            select(Child)
            .where(
                Child.classroom_id == classroom_id,
                Child.deleted_at.is_(None),
                Child.enrolment_status == EnrolmentStatus.ENROLLED,
                child_visibility(actor),
            )
            .order_by(Child.student_no)
        )
    )


def class_subjects(session: Session, classroom_id: int, term_id: int) -> list[str]:
    """语文/数学/英语, then every other subject stored for the class and term (by name)."""
    stored = session.scalars(
        select(TermResult.subject)
        .where(
            TermResult.classroom_id == classroom_id,
            TermResult.term_id == term_id,
            TermResult.deleted_at.is_(None),
        )
        .distinct()
    )
    return [*DEFAULT_SUBJECTS, *sorted(set(stored) - set(DEFAULT_SUBJECTS))]


def term_results(
    session: Session, child_ids: list[int], term_id: int
) -> dict[tuple[int, str], TermResult]:
    """(child id, subject) → the child's result in the term, deleted ones included."""
    rows = session.scalars(
        select(TermResult).where(
            TermResult.child_id.in_(child_ids or [-1]), TermResult.term_id == term_id
        )
    )
    return {(r.child_id, r.subject): r for r in rows}


def row_versions(results: Iterable[TermResult]) -> dict[int, int]:
    """child id → the grid row's version: the sum of its results' versions (0 = none yet)."""
    versions: dict[int, int] = {}
    for result in results:
        versions[result.child_id] = versions.get(result.child_id, 0) + result.version
    return versions


# ---- the grid ---------------------------------------------------------------------------------


def class_results_frame(
    session: Session, actor: Actor, classroom_id: int, term_id: int
) -> pd.DataFrame:
    """One row per enrolled child: id (child), version, name, 学籍号, 留守类型, a column per
    subject (score or grade as shown), and the child's mean percentile in the term."""
    classroom_for(session, actor, classroom_id, term_id)
    subjects = class_subjects(session, classroom_id, term_id)
    children = class_children(session, actor, classroom_id)
    ids = [c.id for c in children]
    results = term_results(session, ids, term_id)
    versions = row_versions(results.values())
    mean = _mean_percentiles(session, ids, term_id)
    rows = []
    for child in children:
        cells = {}
        for subject in subjects:
            result = results.get((child.id, subject))
            live = result is not None and result.deleted_at is None
            shown = Result(result.score, result.grade).shown() if live else None  # type: ignore[union-attr]
            cells[subject_field(subject)] = shown
        rows.append(
            {
                "id": child.id,
                "version": versions.get(child.id, 0),
                "name": child.name,
                "student_no": child.student_no,
                "left_behind": enum_label(LeftBehindType(child.left_behind_type)),
                **cells,
                "percentile": mean.get(child.id),
            }
        )
    columns = [*FIXED_COLUMNS, *(subject_field(s) for s in subjects), "percentile"]
    return pd.DataFrame(rows, columns=columns)


def _mean_percentiles(session: Session, child_ids: list[int], term_id: int) -> dict[int, float]:
    """child id → its mean percentile in the term, as everywhere (services/growth/terms.py)."""
    frame = child_terms(session, [Child.id.in_(child_ids or [-1])])
    frame = frame[(frame.term_id == term_id) & frame.percentile.notna()]
    return {int(c): float(p) for c, p in zip(frame.child_id, frame.percentile, strict=True)}


def load_class_results_page(
    session: Session, actor: Actor, offset: int, limit: int, classroom_id: int, term_id: int
) -> Page:
    frame = class_results_frame(session, actor, classroom_id, term_id)
    return Page(frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame))


def save_class_results(
    session: Session, actor: Actor, changes: GridChanges, classroom_id: int, term_id: int
) -> SaveResult:
    """Write the grid's changed cells: create, change, revive or (cleared) delete results.

    Every cell is checked first; a bad one raises ValidationFailed naming the child, the subject,
    the value and the reason, and nothing is written. Rows saved by someone else meanwhile raise
    ConflictError. The touched class/subject groups are ranked again.
    """
    classroom_for(session, actor, classroom_id, term_id)
    if changes.inserts or changes.deletes:
        raise NotAllowed("the results grid only edits the class roster")
    edited = {f for u in changes.updates for f in u.values if f.startswith(SUBJECT_PREFIX)}
    subjects = set(class_subjects(session, classroom_id, term_id))
    subjects |= {f.removeprefix(SUBJECT_PREFIX) for f in edited}
    specs = result_specs(sorted(subjects))
    problems = check_changes(specs, actor, changes)
    problems += _subject_problems(changes)
    allowed = {c.id for c in class_children(session, actor, classroom_id)}
    if not {u.id for u in changes.updates} <= allowed:
        raise NotAllowed("child outside the class")
    if problems:
        raise ValidationFailed(problems)
    results = term_results(session, [u.id for u in changes.updates], term_id)
    _refuse_conflicts(session, changes.updates, results)
    groups: set[Group] = set()
    written = 0
    for update in changes.updates:
        touched = False
        for name, value in update.values.items():
            subject = name.removeprefix(SUBJECT_PREFIX)
            key = (update.id, subject)
            cell = parse_result(value)
            before = results.get(key)
            if before is not None:
                groups.add(group_of(before))
            row = write_result(
                session, actor, update.id, update.label, subject, cell, before,
                (classroom_id, term_id),
            )  # fmt: skip
            if row is not None:
                groups.add(group_of(row))
                touched = True
        written += touched
    session.flush()
    rerank(session, groups)
    return SaveResult(updated=written)


def _subject_problems(changes: GridChanges) -> list:
    """A subject name longer than the table keeps (only a forged or renamed column has one)."""
    return [
        problem(u.label, name.removeprefix(SUBJECT_PREFIX), None, "growth_results.reason.subject")
        for u in changes.updates
        for name in u.values
        if len(name.removeprefix(SUBJECT_PREFIX)) > SUBJECT_MAX_LEN
    ]


def _refuse_conflicts(
    session: Session, updates: list[RowUpdate], results: dict[tuple[int, str], TermResult]
) -> None:
    """ConflictError for every row whose results changed since the user loaded them."""
    versions = row_versions(results.values())
    conflicts = []
    for update in updates:
        if versions.get(update.id, 0) == update.version:
            continue
        mine = [r for (cid, _), r in results.items() if cid == update.id]
        latest = max(mine, key=lambda r: (r.updated_at or r.created_at, r.id), default=None)
        conflicts.append(
            conflict_for(session, latest, update.label)
            if latest is not None
            else Conflict(update.label, update.id, changed_by=None, changed_at=None)
        )
    if conflicts:
        raise ConflictError(conflicts)


def write_result(
    session: Session,
    actor: Actor,
    child_id: int,
    label: str,
    subject: str,
    cell: Result | None,
    row: TermResult | None,
    where: tuple[int, int],
) -> TermResult | None:
    """One result's write for a child in (classroom id, term id): created, changed, revived or,
    for an empty cell, deleted; audited. Returns the row written, None when nothing changed.
    The caller has checked the version and reranks the groups."""
    classroom_id, term_id = where
    live = row is not None and row.deleted_at is None
    if cell is None:
        if not live:
            return None
        soft_delete_row(session, actor, row, row.version, label)  # type: ignore[union-attr]
        return row
    values = {"score": cell.score, "grade": cell.grade, "classroom_id": classroom_id}
    if row is None:
        row = TermResult(school_id=actor.school_id, child_id=child_id, term_id=term_id,
                         subject=subject, **values)  # fmt: skip
        clash = Conflict(label, child_id, changed_by=None, changed_at=None)
        create_unique_row(session, actor, row, clash)
        return row
    if live and all(getattr(row, k) == v for k, v in values.items()):
        return None
    if not live:
        values |= {"deleted_at": None, "deleted_by": None}  # the one row per subject, revived
    update_row(session, actor, row, None, values, label)
    return row
