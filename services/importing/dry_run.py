"""What the roster import and the staff import share: the dry run's plan, the school's classes,
a row's cells parsed into problems, and the checks before the all-or-nothing write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Classroom
from locales import t
from services.errors import Conflict, ConflictError, Problem, ValidationFailed
from services.importing import values as v
from services.importing.parsing import RawSheet
from services.importing.writer import UNCHANGED

P = TypeVar("P", bound="DryRun")


@dataclass
class DryRun:
    """A dry run of an import: its rows, its bad rows, the classes it would create."""

    file_name: str
    mapping: dict[str, str | None]
    unknown_columns: list[str]
    rows: list[Any]
    problems: list[Problem]
    new_classrooms: dict[tuple[int, int], str]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def counts(self) -> dict[str, int]:
        """Rows to insert, to update and unchanged, by the names the summaries take."""
        return {
            "inserted": self.count("insert"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
        }

    @property
    def changed(self) -> bool:
        """Whether importing would write anything at all."""
        return any(r.action != UNCHANGED for r in self.rows)

    def signature(self) -> str:
        """The `digest` of the rows' fields that matter to the write; each plan names them."""
        raise NotImplementedError


def digest(parts: object) -> str:
    """A stable hash of plain data (dates and enums as text)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def start_plan(
    plan_type: type[P],
    sheet: RawSheet,
    mapping: dict[str, str | None],
    needed: tuple[str, ...],
    label_prefix: str,
) -> tuple[P, dict[str, int]]:
    """An empty plan with a problem for each needed field no column maps to, and the
    field → column index of the mapping."""
    columns = {f: sheet.headers.index(h) for h, f in mapping.items() if f and h in sheet.headers}
    unknown = [h for h in sheet.headers if not mapping.get(h)]
    plan = plan_type(sheet.file_name, dict(mapping), unknown, [], [], {})
    for name in needed:
        if name not in columns:
            label = t(f"{label_prefix}.field.{name}")
            plan.problems.append(Problem("", label, "", "import.reason.missing_column"))
    return plan, columns


def school_classrooms(session: Session, school_id: int) -> dict[tuple[int, int], tuple[int, str]]:
    """The school's classes: (grade, number) → (id, name)."""
    return {
        (grade, number): (room_id, name)
        for room_id, grade, number, name in session.execute(
            select(Classroom.id, Classroom.grade, Classroom.number, Classroom.name).where(
                Classroom.school_id == school_id, Classroom.deleted_at.is_(None)
            )
        )
    }


@dataclass(frozen=True)
class SheetRow:
    """A row of the sheet as a plan reads it: its number, its cells, which column holds each
    field, and the headers (a problem names the column)."""

    number: int
    cells: list[object]
    columns: Mapping[str, int]
    headers: list[str]


def parse_cells(line: SheetRow, parse: Callable[[str, object], None]) -> list[Problem]:
    """Hand every mapped cell of a row to `parse(field, raw)`; each bad value is a problem."""
    problems: list[Problem] = []
    for name, index in line.columns.items():
        raw = line.cells[index] if index < len(line.cells) else None
        try:
            parse(name, raw)
        except v.BadValue as exc:
            header = line.headers[index]
            problems.append(Problem(str(line.number), header, raw, exc.key, exc.params))
    return problems


def row_problem(line: SheetRow, label_prefix: str) -> Callable[..., tuple[None, list[Problem]]]:
    """A function (field, reason, **params) that refuses the row, naming the field's column
    and cell, or the field's label when the file has no such column."""
    columns = line.columns

    def problem(name: str, reason: str, **params: object) -> tuple[None, list[Problem]]:
        if name in columns:
            column, raw = line.headers[columns[name]], line.cells[columns[name]]
        else:
            column, raw = t(f"{label_prefix}.field.{name}"), None
        shown = "" if raw is None else raw
        return None, [Problem(str(line.number), column, shown, reason, params)]

    return problem


def check_writable(plan: DryRun, expected_signature: str | None, moved_key: str) -> None:
    """Refuse the write when a row is bad, the file has no rows, or the plan moved since the
    preview the user confirmed."""
    if plan.problems:
        raise ValidationFailed(plan.problems)
    if not plan.rows:
        raise ValidationFailed([Problem("", "", plan.file_name, "import.reason.no_rows")])
    if expected_signature is not None and plan.signature() != expected_signature:
        raise ConflictError([Conflict(t(moved_key), 0, None, None)])
