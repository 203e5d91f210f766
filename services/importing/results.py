"""Importing a class's results sheet (成绩表) for a term: a dry run, then an all-or-nothing write.

The sheet is read like a roster (services/importing/results_sheet.py: title rows, merged cells,
CSV in UTF-8 or GBK; which column is a subject). The class and term are picked on the page; each
row is matched to an enrolled child of that class by 学籍号, else by name within the class
(namesakes need the 学籍号). A 班级 column, when there is one, must name the picked class; rows of
class summaries (平均分, 及格率, …) are skipped. Cells are read as in the grid
(services/growth/results_values.py: scores 0–150, 优/良/中/差 and 优秀/良好/及格/不及格 …). A blank
cell never clears a stored result. The write goes through the grid's `write_result` (row audits)
and ranks the class again; one audit entry records the import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from db.models import Child
from locales import t
from services.actor import Actor
from services.errors import Problem
from services.growth import results as grid
from services.growth.ranking import Group, group_of, rerank
from services.growth.results_values import (
    SUBJECT_MAX_LEN,
    BadResult,
    Result,
    parse_result,
)
from services.importing import values as v
from services.importing.dry_run import (
    SheetRow,
    check_writable,
    parse_cells,
    row_problem,
    start_plan,
)
from services.importing.parsing import RawSheet
from services.importing.plan import ChangesPlan, FieldChange, ImportResult
from services.importing.results_sheet import SUBJECT, subject_of
from services.importing.writer import INSERT, UNCHANGED, UPDATE, record_import

SUMMARY_ROWS = frozenset({"平均分", "平均", "合计", "总计", "及格率", "优秀率", "优良率",
                          "最高分", "最低分", "人数", "参考人数"})  # fmt: skip


@dataclass
class ResultRow:
    """One child's row of the sheet: the results it would write and what they change."""

    row: int
    action: str
    child_id: int
    name: str
    student_no: str
    cells: dict[str, Result]
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ResultsPlan(ChangesPlan):
    rows: list[ResultRow]
    subjects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResultsImport:
    """What the dry run and the write both read: who imports, the sheet and its columns (header
    → field), and the class and term picked on the page."""

    actor: Actor
    sheet: RawSheet
    mapping: dict[str, str | None]
    classroom_id: int
    term_id: int


def plan_results_import(session: Session, request: ResultsImport) -> ResultsPlan:
    """The dry run: each child's results to be added or changed, and every bad row (no writes)."""
    actor, sheet, mapping = request.actor, request.sheet, request.mapping
    classroom_id, term_id = request.classroom_id, request.term_id
    room = grid.classroom_for(session, actor, classroom_id, term_id)
    identity = {h: f for h, f in mapping.items() if f in ("student_no", "name", "classroom")}
    plan, columns = start_plan(ResultsPlan, sheet, identity, (), "growth_results")
    plan.mapping = dict(mapping)
    columns.update(_subject_columns(sheet, mapping, plan))
    plan.subjects = [
        n.removeprefix(grid.SUBJECT_PREFIX) for n in columns if n.startswith(grid.SUBJECT_PREFIX)
    ]
    plan.unknown_columns = [h for h in sheet.headers if not mapping.get(h)]
    if "student_no" not in columns and "name" not in columns:
        plan.problems.append(_column_problem("name", "growth_results.reason.no_identity"))
    if not plan.subjects:
        plan.problems.append(_column_problem(SUBJECT, "growth_results.reason.no_subjects"))
    if plan.problems:
        return plan
    children = grid.class_children(session, actor, classroom_id)
    stored = grid.term_results(session, [c.id for c in children], term_id)
    rows = _RowPlanner(children, (room.grade, room.number), stored, columns, sheet.headers)
    for number, cells in sheet.rows:
        planned, problems = rows.plan(number, cells)
        plan.problems.extend(problems)
        if planned is not None:
            plan.rows.append(planned)
    return plan


def _column_problem(name: str, reason: str) -> Problem:
    return Problem("", t(f"growth_results.field.{name}"), "", reason)


def _subject_columns(
    sheet: RawSheet, mapping: dict[str, str | None], plan: ResultsPlan
) -> dict[str, int]:
    """subject field → column index of every column mapped to a subject; clashes are problems."""
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if mapping.get(header) != SUBJECT:
            continue
        subject = subject_of(header)
        key = grid.subject_field(subject)
        if not subject or len(subject) > SUBJECT_MAX_LEN:
            plan.problems.append(Problem("", header, "", "growth_results.reason.subject"))
        elif key in found:
            plan.problems.append(Problem("", header, "", "growth_results.reason.same_subject"))
        else:
            found[key] = index
    return found


class _RowPlanner:
    """Plans the sheet's rows one by one: the class's enrolled children by 学籍号 and by name,
    their stored results, the sheet's columns, and the rows already seen."""

    def __init__(
        self,
        children: list[Child],
        room_key: tuple[int, int],
        stored: dict[tuple[int, str], object],
        columns: dict[str, int],
        headers: list[str],
    ) -> None:
        self.room_key = room_key
        self.stored = stored
        self.columns = columns
        self.headers = headers
        self.by_no = {c.student_no: c for c in children}
        self.by_name: dict[str, list[Child]] = {}
        for child in children:
            self.by_name.setdefault(child.name, []).append(child)
        self.seen: dict[int, int] = {}

    def plan(self, number: int, cells: list[object]) -> tuple[ResultRow | None, list[Problem]]:
        """The row's results and changes, or its problems (none for a summary row)."""
        if _cell(cells, self.columns, "name") in SUMMARY_ROWS:
            return None, []  # 平均分, 及格率 … under the class's rows
        values: dict[str, object] = {}
        line = SheetRow(number, cells, self.columns, self.headers)
        problems = parse_cells(line, _parser(values))
        if problems:
            return None, problems
        problem = row_problem(line, "growth_results")
        child, reason, name = _match(values, self)
        if reason:
            return problem(name, reason)
        assert child is not None
        if values.get("classroom") and values["classroom"] != self.room_key:
            return problem("classroom", "growth_results.reason.other_class")
        if child.id in self.seen:
            return problem(name, "growth_results.reason.same_child", row=self.seen[child.id])
        self.seen[child.id] = number
        results = {
            k.removeprefix(grid.SUBJECT_PREFIX): r
            for k, r in values.items()
            if k.startswith(grid.SUBJECT_PREFIX) and r is not None
        }
        changes = [_change(s, r, self.stored.get((child.id, s))) for s, r in results.items()]
        changes = [c for c in changes if c is not None]
        action = UNCHANGED if not changes else INSERT
        if any(c.before is not None for c in changes):
            action = UPDATE
        planned = ResultRow(
            number, action, child.id, child.name, child.student_no, results, changes
        )
        return planned, []


def _parser(values: dict[str, object]) -> Callable[[str, object], None]:
    """Reads a cell into `values`: 学籍号, name and class as text, any other as a result."""

    def parse(name: str, raw: object) -> None:
        if name == "student_no":
            values[name] = v.text(raw, 32)
        elif name == "name":
            values[name] = v.text(raw, 64)
        elif name == "classroom":
            values[name] = v.parse_class(raw)
        else:
            try:
                values[name] = parse_result(raw)
            except BadResult as bad:
                raise v.BadValue(bad.key) from bad

    return parse


def _cell(cells: list[object], columns: dict[str, int], name: str) -> str | None:
    if name not in columns or columns[name] >= len(cells):
        return None
    return v.text(cells[columns[name]], 10_000)


def _match(values: dict[str, object], matcher: _RowPlanner) -> tuple[Child | None, str | None, str]:
    """(child, None, column) or (None, reason, column the reason is about)."""
    number, name = values.get("student_no"), values.get("name")
    if number:
        child = matcher.by_no.get(number)  # type: ignore[arg-type]
        if child is None:
            return None, "growth_results.reason.unknown_no", "student_no"
        if name and name != child.name:
            return None, "growth_results.reason.name_differs", "name"
        return child, None, "student_no"
    if not name:
        return None, "growth_results.reason.no_child", "name"
    namesakes = matcher.by_name.get(name, [])  # type: ignore[arg-type]
    if not namesakes:
        return None, "growth_results.reason.unknown_name", "name"
    if len(namesakes) > 1:
        return None, "growth_results.reason.namesakes", "name"
    return namesakes[0], None, "name"


def _change(subject: str, result: Result, row: object) -> FieldChange | None:
    """The subject's change (before shown as stored, None when new), None when it is the same."""
    live = row is not None and row.deleted_at is None  # type: ignore[attr-defined]
    before = Result(row.score, row.grade) if live else None  # type: ignore[attr-defined]
    if before == result:
        return None
    return FieldChange(subject, before.shown() if before else None, result.shown())


def apply_results_import(
    session: Session, request: ResultsImport, expected_signature: str | None = None
) -> ImportResult:
    """Plan again and write every result in the caller's transaction, or nothing at all (also
    when nothing would change: then not even an audit entry)."""
    actor, classroom_id, term_id = request.actor, request.classroom_id, request.term_id
    plan = plan_results_import(session, request)
    check_writable(plan, expected_signature, "growth_results.import.changed_since_preview")
    counts = Counter(r.action for r in plan.rows)
    if not plan.changed:
        return ImportResult(0, 0, counts[UNCHANGED], [])
    written = [r for r in plan.rows if r.action != UNCHANGED]
    stored = grid.term_results(session, [r.child_id for r in written], term_id)
    groups: set[Group] = set()
    new_ids: list[int] = []
    for planned in written:
        for change in planned.changes:
            before = stored.get((planned.child_id, change.field))
            if before is not None:
                groups.add(group_of(before))
            row = grid.write_result(
                session, actor, planned.child_id, planned.name, change.field,
                planned.cells[change.field], before, (classroom_id, term_id),
            )  # fmt: skip
            if row is not None:
                groups.add(group_of(row))
                if before is None:
                    new_ids.append(row.id)
    session.flush()
    rerank(session, groups)
    record_import(session, actor, "term_results", "growth_results.import.audit_detail", plan,
                  counts[INSERT], counts[UPDATE], new_ids)  # fmt: skip
    return ImportResult(counts[INSERT], counts[UPDATE], counts[UNCHANGED], [])
