"""Staff accounts from the school's staff sheet (教职工名单): a dry run, then an all-or-nothing
write.

The sheet is read like a roster (services/importing/parsing.py: title rows, merged cells, CSV in
UTF-8 or GBK) with the staff columns: name, mobile, role (班主任 / 教师 / 心理辅导员 / 校领导),
classes taught and head-teacher class. Each row is matched to an account of the school by
mobile, then by name (a namesake with another mobile is another person), so importing the sheet
again updates instead of duplicating. New accounts get a username from the mobile number or the
name's pinyin (a digit added on a clash) and a one-time password (services/importing/
staff_writer.py). As in the roster import, a blank cell never clears a stored value; "无" in a
class column does. Classes that do not exist yet are created, named as the roster import names
them, so the roster imported afterwards lands in them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import User
from services.accounts.user_classes import classes_of
from services.actor import Actor
from services.errors import Problem
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
from services.importing.parsing import Progress, RawSheet
from services.importing.plan import FieldChange, ImportResult, require_importer
from services.importing.staff_values import (
    SHOWN_JOIN,
    UsernameFrom,
    parse_classes,
    parse_mobile,
    parse_role,
    username_base,
)
from services.importing.staff_writer import OneTimeSecret, Slip, issue_secrets, write_staff_plan
from services.importing.writer import INSERT, UNCHANGED, UPDATE


@dataclass
class StaffRow:
    """One row of the sheet as it will be written: the account's values after the import."""

    row: int
    action: str
    user_id: int | None
    name: str
    username: str
    role: Role
    phone: str | None
    head_keys: list[tuple[int, int]]
    taught_keys: list[tuple[int, int]]
    head_of: list[str]
    taught: list[str]
    changes: list[FieldChange] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)  # fields the import decided itself
    notes: list[str] = field(default_factory=list)  # locale keys


@dataclass
class StaffPlan(DryRun):
    rows: list[StaffRow]
    room_ids: dict[tuple[int, int], int] = field(default_factory=dict)

    def signature(self) -> str:
        """A digest of what would be written, to tell whether the data moved since the preview."""
        parts = [
            (r.row, r.action, r.user_id, r.username, r.role, r.phone, r.head_of, r.taught, r.name)
            for r in self.rows
        ]
        return digest(parts)


@dataclass(frozen=True)
class StaffImportResult(ImportResult):
    slips: list[Slip]


@dataclass
class _Parsed:
    row: int
    name: str
    phone: str | None
    role: Role | None
    head: list[tuple[int, int]] | None
    taught: list[tuple[int, int]] | None
    user: dict | None = None
    final_role: Role | None = None
    inferred: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _School:
    """The school's classes and accounts, loaded once, and what the file has claimed so far."""

    def __init__(self, session: Session, school_id: int) -> None:
        self.rooms = school_classrooms(session, school_id)
        self.key_of = {room_id: key for key, (room_id, _) in self.rooms.items()}
        columns = (User.id, User.display_name, User.phone, User.role, User.username, User.active)
        rows = session.execute(
            select(*columns).where(User.school_id == school_id, User.deleted_at.is_(None))
        )
        self.users = [dict(r._mapping) for r in rows]
        heads, taught = classes_of(session, [u["id"] for u in self.users])
        for user in self.users:
            user["head"] = self._keys(heads.get(user["id"], set()))
            user["taught"] = self._keys(taught.get(user["id"], set()))
        self.taken = {u.lower() for u in session.scalars(select(func.lower(User.username)))}
        self.new_rooms: dict[tuple[int, int], str] = {}
        self.seen_phone: dict[str, int] = {}
        self.seen_user: dict[int, int] = {}
        self.seen_name: dict[str, int] = {}
        self.head_claims: dict[tuple[int, int], int] = {}

    def _keys(self, room_ids: set[int]) -> list[tuple[int, int]]:
        return sorted(self.key_of[i] for i in room_ids if i in self.key_of)

    def names(self, keys: Sequence[tuple[int, int]]) -> list[str]:
        shown = []
        for key in sorted(keys):
            if key in self.rooms:
                shown.append(self.rooms[key][1])
            else:
                shown.append(self.new_rooms.setdefault(key, v.classroom_name(*key)))
        return shown

    def match(self, name: str, phone: str | None) -> tuple[dict | None, str | None, str | None]:
        """(account, problem reason, note) for a row: by mobile, then by name."""
        if phone:
            by_phone = [u for u in self.users if u["phone"] == phone]
            if len(by_phone) > 1:
                return None, "staff.reason.ambiguous_mobile", None
            if by_phone:
                return by_phone[0], None, None
        namesakes = [u for u in self.users if u["display_name"] == name]
        candidates = [u for u in namesakes if not (phone and u["phone"])]
        if len(candidates) > 1:
            return None, "staff.reason.ambiguous_name", None
        if candidates:
            return candidates[0], None, None
        return None, None, "staff.note.namesake" if namesakes else None

    def username(self, base: str) -> str:
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}{number}"
        self.taken.add(candidate)
        return candidate


def plan_staff_import(
    session: Session,
    actor: Actor,
    sheet: RawSheet,
    mapping: dict[str, str | None],
    username_from: UsernameFrom = UsernameFrom.PHONE,
) -> StaffPlan:
    """The dry run: which accounts would be added or updated, and every bad row (no writes)."""
    require_importer(actor)
    plan, columns = start_plan(StaffPlan, sheet, mapping, ("name",), "staff")
    if plan.problems:
        return plan
    school = _School(session, actor.school_id)  # type: ignore[arg-type]
    parsed: list[_Parsed] = []
    for number, cells in sheet.rows:
        line = SheetRow(number, cells, columns, sheet.headers)
        row, problems = _first_pass(line, school, actor)
        plan.problems.extend(problems)
        if row is not None:
            parsed.append(row)
    for row in parsed:
        plan.rows.append(_second_pass(row, school, username_from))
    plan.new_classrooms = dict(sorted(school.new_rooms.items()))
    plan.room_ids = {key: room_id for key, (room_id, _) in school.rooms.items()}
    return plan


def _first_pass(
    line: SheetRow, school: _School, actor: Actor
) -> tuple[_Parsed | None, list[Problem]]:
    """Read one row's cells, find its account, settle its role; refuse clashes with rows above."""
    number = line.number
    values: dict[str, object] = {}
    parsers = {"name": lambda x: v.text(x, 64), "phone": parse_mobile, "role": parse_role,
               "head_of": parse_classes, "taught": parse_classes}  # fmt: skip

    def parse(name: str, raw: object) -> None:
        values[name] = parsers[name](raw)

    problems = parse_cells(line, parse)
    if problems:
        return None, problems
    problem = row_problem(line, "staff")
    get: Any = values.get
    row = _Parsed(number, get("name") or "", get("phone"), get("role"), get("head_of"),
                  get("taught"))  # fmt: skip
    if not row.name:
        return problem("name", "import.reason.required")
    if row.phone:
        if row.phone in school.seen_phone:
            return problem(
                "phone", "staff.reason.duplicate_mobile", row=school.seen_phone[row.phone]
            )
        school.seen_phone[row.phone] = number
    elif row.name in school.seen_name:
        return problem("name", "staff.reason.duplicate_name", row=school.seen_name[row.name])
    user, reason, note = school.match(row.name, row.phone)
    if reason:
        return problem("phone" if reason.endswith("mobile") else "name", reason)
    if user is not None:
        if user["id"] in school.seen_user:
            return problem("name", "staff.reason.same_account", row=school.seen_user[user["id"]])
        school.seen_user[user["id"]] = number
        if not user["active"]:
            row.notes.append("staff.note.inactive")
    if note:
        row.notes.append(note)
    school.seen_name.setdefault(row.name, number)
    row.user = user
    row.final_role = _role(row, user, actor)
    if row.head and row.final_role != Role.HEAD_TEACHER:
        return problem("head_of", "accounts.head_of_needs_head_teacher")
    for key in row.head or ():
        if key in school.head_claims:
            shown = school.names([key])[0]
            return problem("head_of", "staff.reason.duplicate_head",
                           row=school.head_claims[key], classroom=shown)  # fmt: skip
    for key in row.head or ():
        school.head_claims[key] = number
    return row, []


def _role(row: _Parsed, user: dict | None, actor: Actor) -> Role:
    """The sheet's role; for a blank cell the stored one, or for a new account 班主任 when a
    class is given and 教师 otherwise. An administrator's role and one's own are kept."""
    if user is not None:
        kept = user["role"] == Role.ADMIN or user["id"] == actor.user_id
        if row.role is not None and row.role != user["role"] and kept:
            row.notes.append("staff.note.role_kept")
            return user["role"]
        return row.role or user["role"]
    if row.role is not None:
        return row.role
    row.inferred.append("role")
    return Role.HEAD_TEACHER if row.head else Role.TEACHER


def _second_pass(row: _Parsed, school: _School, username_from: UsernameFrom) -> StaffRow:
    """Final classes (a blank head-teacher cell keeps the classes nobody else claims), the
    username of a new account, and the changes of an existing one."""
    user, role = row.user, row.final_role or Role.TEACHER
    if row.head is not None:
        head = row.head
    elif user is not None and role == Role.HEAD_TEACHER:
        head = [k for k in user["head"] if school.head_claims.get(k, row.row) == row.row]
    else:
        head = []
    taught = row.taught if row.taught is not None else (user["taught"] if user else [])
    if any(_headed_by_other(school, key, user) for key in row.head or ()):
        row.notes.append("staff.note.head_replaced")
    planned = StaffRow(
        row=row.row,
        action=INSERT,
        user_id=None,
        name=row.name,
        username="",
        role=role,
        phone=row.phone,
        head_keys=sorted(head),
        taught_keys=sorted(taught),
        head_of=school.names(head),
        taught=school.names(taught),
        inferred=row.inferred,
        notes=row.notes,
    )
    if user is None:
        planned.username = school.username(username_base(row.name, row.phone, username_from))
        return planned
    planned.user_id, planned.username = user["id"], user["username"]
    planned.phone = row.phone or user["phone"]
    before_after = [
        ("name", user["display_name"], row.name),
        ("phone", user["phone"], planned.phone),
        ("role", user["role"], role),
        ("head_of", _joined(school.names(user["head"])), _joined(planned.head_of)),
        ("taught", _joined(school.names(user["taught"])), _joined(planned.taught)),
    ]
    planned.changes = [FieldChange(f, old, new) for f, old, new in before_after if old != new]
    planned.action = UPDATE if planned.changes else UNCHANGED
    return planned


def _headed_by_other(school: _School, key: tuple[int, int], user: dict | None) -> bool:
    """Whether the class has a head teacher now who is not this row's account."""
    mine = user["head"] if user else []
    return key not in mine and any(key in u["head"] for u in school.users)


def _joined(names: list[str]) -> str | None:
    return SHOWN_JOIN.join(names) or None


def apply_staff_import(
    session: Session,
    actor: Actor,
    sheet: RawSheet,
    mapping: dict[str, str | None],
    expected_signature: str | None = None,
    username_from: UsernameFrom = UsernameFrom.PHONE,
    secrets: list[OneTimeSecret] | None = None,
    progress: Progress | None = None,
) -> StaffImportResult:
    """Plan again and write every account in the caller's transaction, or nothing at all.

    `secrets` are one-time passwords hashed beforehand (`issue_secrets`), so the slow hashing
    need not hold the write transaction; missing ones are made here. A file with nothing to
    change writes nothing, not even an audit entry.
    """
    plan = plan_staff_import(session, actor, sheet, mapping, username_from)
    check_writable(plan, expected_signature, "staff.changed_since_preview")
    counts = Counter(r.action for r in plan.rows)
    if not plan.changed:
        return StaffImportResult(0, 0, counts[UNCHANGED], [], [])
    secrets = list(secrets or [])
    secrets += issue_secrets(counts[INSERT] - len(secrets))
    slips = write_staff_plan(session, actor, plan, secrets, progress)
    new_names = list(plan.new_classrooms.values())
    return StaffImportResult(counts[INSERT], counts[UPDATE], counts[UNCHANGED], new_names, slips)
