"""Bulk import of a school's roster (批量导入): a dry-run plan first, then an all-or-nothing write.

`plan_import` reads nothing but the database and returns what would be inserted and updated (matched
by 学籍号, else name + birth date + class) and every bad row. `apply_import` plans again inside the
page's write transaction and writes only when every row is valid; it is audited with the file name
and counts. Reading the file itself lives in services/importing/parsing.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Child
from locales import t
from services import permissions
from services.actor import Actor
from services.clock import school_today
from services.errors import NotAllowed, Problem
from services.importing import values as v
from services.importing.dry_run import (
    DryRun,
    SheetRow,
    check_writable,
    digest,
    parse_cells,
    row_problem,
    school_classrooms,
    start_plan,
)
from services.importing.guardian import infer_guardian
from services.importing.parsing import Progress, RawSheet
from services.importing.writer import INSERT, UNCHANGED, UPDATE, write_plan
from services.permissions import Action

IDENTITY_FIELDS = ("name", "birth_date", "classroom_id")


def _id_card(value: object) -> str | None:
    raw = v.text(value, 32)
    if raw is not None and not (
        len(raw) == 18 and raw[:17].isdigit() and raw[17] in "0123456789Xx"
    ):
        raise v.BadValue("import.reason.bad_id_card")
    return raw.upper() if raw else None


# Field → parser for every column copied to Child as is (class and work places are derived).
PARSERS: dict[str, Callable[[object], object]] = {
    "student_no": v.parse_student_no,
    "name": lambda x: v.text(x, 64),
    "gender": v.parse_gender,
    "birth_date": v.parse_date,
    "ethnicity": lambda x: v.text(x, 32),
    "id_card_no": _id_card,
    "boarding": v.parse_bool,
    "village": lambda x: v.text(x, 64),
    "home_address": lambda x: v.text(x, 200),
    "left_behind_type": v.parse_left_behind,
    "left_behind_since": v.parse_date,
    "father_name": lambda x: v.text(x, 64),
    "father_phone": v.parse_phone,
    "mother_name": lambda x: v.text(x, 64),
    "mother_phone": v.parse_phone,
    "guardian_name": lambda x: v.text(x, 64),
    "guardian_relation": lambda x: v.text(x, 32),
    "guardian_phone": v.parse_phone,
    "guardian_age": v.parse_age,
    "guardian_health": lambda x: v.text(x, 64),
    "guardian_education": lambda x: v.text(x, 32),
    "lives_with": lambda x: v.text(x, 64),
    "personality": lambda x: v.text(x, 200),
    "hobbies": lambda x: v.text(x, 200),
    "study_level": lambda x: v.text(x, 32),
    "health_notes": lambda x: v.text(x, 200),
    "psychology_notes": lambda x: v.text(x, 200),
    "disability": lambda x: v.text(x, 64),
    "is_key": v.parse_bool,
    "key_reasons": v.parse_key_reasons,
    "archive_date": v.parse_date,
}
WORK_FIELDS = {"father_work": "father", "mother_work": "mother"}
COMPARED = (
    *PARSERS,
    "classroom_id",
    *(f"{p}_work_{k}" for p in WORK_FIELDS.values() for k in ("province", "city", "detail")),
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass
class PlannedRow:
    row: int
    action: str
    child_id: int | None
    name: str
    classroom: str
    values: dict[str, object]
    changes: list[FieldChange] = field(default_factory=list)
    room_key: tuple[int, int] | None = None  # (grade, number) of the class named in the file
    inferred: list[str] = field(default_factory=list)  # fields the import filled in itself


@dataclass
class ChangesPlan(DryRun):
    """A dry run whose rows each name a child and the fields they would change (the roster,
    a class's results)."""

    def signature(self) -> str:
        """A digest of what would be written, to tell whether the data moved since the preview."""
        parts = [
            (r.row, r.action, r.child_id, [(c.field, str(c.after)) for c in r.changes])
            for r in self.rows
        ]
        return digest(parts)


@dataclass
class ImportPlan(ChangesPlan):
    rows: list[PlannedRow]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int
    new_classrooms: list[str]


def require_importer(actor: Actor) -> None:
    permissions.require(actor, Action.IMPORT_ROSTER)
    if actor.school_id is None:
        raise NotAllowed("no school")


def plan_import(
    session: Session,
    actor: Actor,
    sheet: RawSheet,
    mapping: dict[str, str | None],
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportPlan:
    """The dry run: what would be inserted or updated, and every bad row (nothing is written)."""
    require_importer(actor)
    today = today or school_today()
    plan, columns = start_plan(ImportPlan, sheet, mapping, ("name", "classroom"), "import")
    if plan.problems:
        return plan
    matcher = _Matcher(session, actor.school_id)  # type: ignore[arg-type]
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        line = SheetRow(number, cells, columns, sheet.headers)
        planned, problems = _plan_row(line, matcher, today)
        plan.problems.extend(problems)
        if planned is not None and not problems:
            plan.rows.append(planned)
        if progress and done % 500 == 0:
            progress(0.2 + 0.5 * done / len(sheet.rows), t("import.progress.checking", done=done))
    plan.new_classrooms = dict(matcher.new_classrooms)
    return plan


def apply_import(
    session: Session,
    actor: Actor,
    sheet: RawSheet,
    mapping: dict[str, str | None],
    expected_signature: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportResult:
    """Plan again and write every row in the caller's transaction, or nothing at all (also
    when no row would change)."""
    plan = plan_import(session, actor, sheet, mapping, progress, today)
    check_writable(plan, expected_signature, "import.changed_since_preview")
    if not plan.changed:  # the file matches the ledger: nothing written, not even an audit entry
        return ImportResult(0, 0, plan.count(UNCHANGED), [])
    new_names = write_plan(session, actor, plan, today or school_today(), progress)
    return ImportResult(plan.count(INSERT), plan.count(UPDATE), plan.count(UNCHANGED), new_names)


class _Matcher:
    """Existing children and classes of the school, loaded once, and the rows already seen."""

    def __init__(self, session: Session, school_id: int) -> None:
        self.classrooms = school_classrooms(session, school_id)
        self.room_names = {room_id: name for room_id, name in self.classrooms.values()}
        columns = [Child.id, Child.deleted_at, *(getattr(Child, c) for c in COMPARED)]
        rows = session.execute(select(*columns).where(Child.school_id == school_id)).all()
        self.children = [dict(r._mapping) for r in rows]
        self.by_no = {c["student_no"]: c for c in self.children}
        self.by_identity = {
            tuple(c[k] for k in IDENTITY_FIELDS): c for c in self.children if not c["deleted_at"]
        }
        self.new_classrooms: dict[tuple[int, int], str] = {}
        self.seen_no: dict[str, int] = {}
        self.seen_identity: dict[tuple, int] = {}

    def classroom(self, key: tuple[int, int]) -> tuple[int | None, str]:
        if key in self.classrooms:
            return self.classrooms[key]
        name = self.new_classrooms.setdefault(key, v.classroom_name(*key))
        return None, name


def _plan_row(
    line: SheetRow, matcher: _Matcher, today: date
) -> tuple[PlannedRow | None, list[Problem]]:
    number = line.number
    values, problems = _convert(line, today)
    if problems:
        return None, problems
    problem = row_problem(line, "import")
    if not values.get("name"):
        return problem("name", "import.reason.required")
    room_key = values.pop("_classroom", None)
    room_id, room_name = matcher.classroom(room_key) if room_key else (None, "")
    if room_id is not None:
        values["classroom_id"] = room_id
    student_no = values.get("student_no")
    if student_no:
        if student_no in matcher.seen_no:
            return problem(
                "student_no", "import.reason.duplicate_no", row=matcher.seen_no[student_no]
            )
        matcher.seen_no[student_no] = number
        existing = matcher.by_no.get(student_no)
        if existing is not None and existing["deleted_at"] is not None:
            return problem("student_no", "import.reason.deleted_child")
    else:
        identity = (values["name"], values.get("birth_date"), room_id)
        if identity in matcher.seen_identity:
            again = matcher.seen_identity[identity]
            return problem("name", "import.reason.duplicate_identity", row=again)
        matcher.seen_identity[identity] = number
        existing = matcher.by_identity.get(identity) if room_id else None
    inferred = infer_guardian(values, existing)
    if existing is None:
        if not student_no:
            return problem("student_no", "import.reason.no_for_new")
        if not room_key:
            return problem("classroom", "import.reason.required")
        planned = PlannedRow(number, INSERT, None, values["name"], room_name, values, [], room_key)
        planned.inferred = inferred
        return planned, []
    changes = [
        FieldChange(name, existing[name], value)
        for name, value in values.items()
        if existing.get(name) != value and name != "classroom_id"
    ]
    if room_key and existing["classroom_id"] != room_id:  # moves class (maybe into a new one)
        before = matcher.room_names.get(existing["classroom_id"])
        changes.append(FieldChange("classroom_id", before, room_name))
    action = UPDATE if changes else UNCHANGED
    child_id = existing["id"]
    planned = PlannedRow(
        number, action, child_id, values["name"], room_name, values, changes, room_key, inferred
    )
    return planned, []


def _convert(line: SheetRow, today: date) -> tuple[dict[str, object], list[Problem]]:
    """Parse every mapped cell of one row; blank cells are left out (they never clear a value)."""
    values: dict[str, object] = {}

    def parse(name: str, raw: object) -> None:
        if name in PARSERS:
            value = PARSERS[name](raw)
            if name == "birth_date":
                value = v.check_birth_date(value, today)  # type: ignore[arg-type]
            if value is not None:
                values[name] = value
        elif name == "classroom":
            grade_raw = line.cells[line.columns["grade"]] if "grade" in line.columns else None
            room = v.parse_class(raw, grade_raw)
            if room is not None:
                values["_classroom"] = room
        elif name in WORK_FIELDS:
            province, city, detail = v.split_work_place(raw)
            prefix = WORK_FIELDS[name]
            if detail is not None:
                values[f"{prefix}_work_province"] = province
                values[f"{prefix}_work_city"] = city
                values[f"{prefix}_work_detail"] = detail

    return values, parse_cells(line, parse)
