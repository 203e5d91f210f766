"""User management for the administrator: add, edit role and classes, disable, reset password.

An administrator manages the users of their own school. Bureau accounts and moving a user to
another school are done on the server with `python -m services.accounts_cli` (the system actor).
Every change is audited in the same transaction; password hashes never enter the audit log.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.enums import AuditAction, Role
from db.models import Classroom, School, TeachingAssignment, User
from locales import enum_label
from services import audit
from services.accounts import as_utc, normalise_username, now
from services.actor import SYSTEM_ACTOR, Actor
from services.errors import Conflict, ConflictError, NotAllowed, NotFound, Problem, ValidationFailed
from services.passwords import hash_password

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# Roles a school administrator may give; bureau accounts see a whole county.
SCHOOL_ROLES = (Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR)
_NOT_AUDITED = {"password_hash", "last_seen_at", "last_login_at", "failed_logins", "locked_until"}
TABLE_COLUMNS = [
    "username",
    "display_name",
    "role",
    "phone",
    "active",
    "locked",
    "must_change",
    "head_of",
    "taught",
    "last_login",
]
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    phone: str | None
    active: bool
    locked: bool
    must_change_password: bool
    last_login_at: datetime | None
    head_of_classroom_ids: tuple[int, ...]
    taught_classroom_ids: tuple[int, ...]
    version: int


@dataclass(frozen=True)
class ClassroomOption:
    id: int
    name: str


@dataclass(frozen=True)
class UserDraft:
    """What the administrator fills in for a user (new or edited)."""

    username: str
    display_name: str
    role: Role
    phone: str | None = None
    head_of_classroom_ids: frozenset[int] = field(default_factory=frozenset)
    taught_classroom_ids: frozenset[int] = field(default_factory=frozenset)
    county: str | None = None  # bureau accounts only (system actor)


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password to hand over; the user must change it at first sign-in."""

    user_id: int
    username: str
    one_time_password: str


def one_time_password(length: int = 10) -> str:
    """A random password that meets the policy (letters and digits)."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c in string.ascii_letters for c in candidate) and any(
            c.isdigit() for c in candidate
        ):
            return candidate


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    """The users of the administrator's school, by username."""
    _require_admin(actor)
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.username)
    if not _is_system(actor):
        query = query.where(User.school_id == actor.school_id)
    users = session.scalars(query).all()
    heads, taught = _classes_of(session, [u.id for u in users])
    at = now()
    return [
        UserRow(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=Role(u.role),
            phone=u.phone,
            active=u.active,
            locked=bool(u.locked_until and as_utc(u.locked_until) > at),
            must_change_password=u.must_change_password,
            last_login_at=as_utc(u.last_login_at),
            head_of_classroom_ids=tuple(sorted(heads.get(u.id, ()))),
            taught_classroom_ids=tuple(sorted(taught.get(u.id, ()))),
            version=u.version,
        )
        for u in users
    ]


def user_table(rows: list[UserRow], rooms: list[ClassroomOption]) -> pd.DataFrame:
    """The users as a table for display: role by name, classes by name, times in CST."""
    names = {room.id: room.name for room in rooms}
    return pd.DataFrame(
        [
            {
                "username": row.username,
                "display_name": row.display_name,
                "role": enum_label(row.role),
                "phone": row.phone or "",
                "active": row.active,
                "locked": row.locked,
                "must_change": row.must_change_password,
                "head_of": "、".join(names.get(i, str(i)) for i in row.head_of_classroom_ids),
                "taught": "、".join(names.get(i, str(i)) for i in row.taught_classroom_ids),
                "last_login": _local(row.last_login_at),
            }
            for row in rows
        ],
        columns=TABLE_COLUMNS,
    )


def list_classroom_options(session: Session, actor: Actor) -> list[ClassroomOption]:
    """The classes of the administrator's school, to choose from."""
    _require_admin(actor)
    rooms = session.execute(
        select(Classroom.id, Classroom.name)
        .where(Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None))
        .order_by(Classroom.grade, Classroom.number, Classroom.name)
    ).all()
    return [ClassroomOption(room.id, room.name) for room in rooms]


def create_user(
    session: Session, actor: Actor, draft: UserDraft, school_id: int | None = None
) -> IssuedPassword:
    """Add a user with a one-time password (to be changed at first sign-in)."""
    _require_admin(actor)
    school_id = _target_school(session, actor, draft.role, school_id)
    username = normalise_username(draft.username)
    _validate(session, draft, school_id, username=username)
    password = one_time_password()
    user = User(
        school_id=school_id,
        county=_county_of(session, school_id, draft),
        username=username,
        display_name=draft.display_name.strip(),
        role=draft.role,
        phone=(draft.phone or "").strip() or None,
        password_hash=hash_password(password),
        active=True,
        must_change_password=True,
        created_by=actor.user_id or None,
        updated_by=actor.user_id or None,
    )
    session.add(user)
    session.flush()
    _set_classes(session, actor, user, draft)
    audit.record(session, actor, AuditAction.CREATE, "user", user.id, None, _audited(session, user))
    return IssuedPassword(user.id, user.username, password)


def update_user(
    session: Session, actor: Actor, user_id: int, version: int, draft: UserDraft
) -> None:
    """Change name, role, phone and classes; refuses if someone saved the user since `version`."""
    user = _managed_user(session, actor, user_id)
    if user.version != version:
        raise ConflictError(
            [Conflict(user.username, user.id, _name_of(session, user.updated_by), user.updated_at)]
        )
    if user.id == actor.user_id and draft.role != user.role:
        raise NotAllowed("an administrator cannot change their own role")
    _target_school(session, actor, draft.role, user.school_id)
    _validate(session, draft, user.school_id, username=None)
    before = _audited(session, user)
    user.display_name = draft.display_name.strip()
    user.role = draft.role
    user.phone = (draft.phone or "").strip() or None
    user.updated_by = actor.user_id or None
    session.flush()
    _set_classes(session, actor, user, draft)
    _record_update(session, actor, user, before)


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Disable (signs the user out everywhere at their next action) or re-enable a user."""
    user = _managed_user(session, actor, user_id)
    if user.id == actor.user_id and not active:
        raise NotAllowed("an administrator cannot disable themselves")
    before = _audited(session, user)
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    user.updated_by = actor.user_id or None
    session.flush()
    _record_update(session, actor, user, before)


def reset_password(session: Session, actor: Actor, user_id: int) -> IssuedPassword:
    """Issue a new one-time password, lift any lock and force a change at next sign-in."""
    user = _managed_user(session, actor, user_id)
    password = one_time_password()
    user.password_hash = hash_password(password)
    was_forced = user.must_change_password
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    user.updated_by = actor.user_id or None
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        "user",
        user.id,
        {"password": "(old)", "must_change_password": was_forced},
        {"password": "(reset)", "must_change_password": True},
        detail="password_reset",
    )
    return IssuedPassword(user.id, user.username, password)


def set_user_school(session: Session, actor: Actor, user_id: int, school_id: int) -> None:
    """Move a user to another school (system actor only: it changes what the user can see)."""
    if not _is_system(actor):
        raise NotAllowed("only the server command may move users between schools")
    user = _managed_user(session, actor, user_id)
    school = session.get(School, school_id)
    if school is None or school.deleted_at is not None:
        raise NotFound("school")
    before = _audited(session, user)
    _clear_classes(session, actor, user)
    user.school_id, user.county = school.id, school.county
    session.flush()
    _record_update(session, actor, user, before)


def _is_system(actor: Actor) -> bool:
    return actor.user_id == SYSTEM_ACTOR.user_id and actor.school_id is None


def _require_admin(actor: Actor) -> None:
    actor.require(Role.ADMIN)
    if actor.school_id is None and not _is_system(actor):
        raise NotAllowed("administrator without a school")


def _managed_user(session: Session, actor: Actor, user_id: int) -> User:
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("user")
    if not _is_system(actor) and user.school_id != actor.school_id:
        raise NotAllowed("user of another school")
    return user


def _target_school(session: Session, actor: Actor, role: Role, school_id: int | None) -> int | None:
    """The school a user with `role` will belong to; bureau accounts have none."""
    if role == Role.BUREAU:
        if not _is_system(actor):
            raise NotAllowed("bureau accounts are created on the server")
        return None
    if _is_system(actor):
        if school_id is None or session.get(School, school_id) is None:
            raise NotFound("school")
        return school_id
    return actor.school_id


def _county_of(session: Session, school_id: int | None, draft: UserDraft) -> str | None:
    if school_id is None:
        return (draft.county or "").strip() or None
    school = session.get(School, school_id)
    return school.county if school else None


def _validate(
    session: Session, draft: UserDraft, school_id: int | None, username: str | None
) -> None:
    problems: list[Problem] = []
    label = draft.display_name or draft.username

    def bad(column: str, value: object, reason: str) -> None:
        problems.append(Problem(label, column, value, reason))

    if username is not None:
        if not USERNAME_PATTERN.match(username):
            bad("username", draft.username, "accounts.username_invalid")
        elif session.scalar(select(User.id).where(func.lower(User.username) == username)):
            bad("username", draft.username, "accounts.username_taken")
    if not draft.display_name.strip() or len(draft.display_name.strip()) > 64:
        bad("display_name", draft.display_name, "accounts.display_name_required")
    if draft.phone and not PHONE_PATTERN.match(draft.phone.strip()):
        bad("phone", draft.phone, "accounts.phone_invalid")
    if draft.role == Role.BUREAU and not (draft.county or "").strip():
        bad("county", draft.county, "accounts.county_required")
    if draft.head_of_classroom_ids and draft.role != Role.HEAD_TEACHER:
        bad("head_of_classroom_ids", "", "accounts.head_of_needs_head_teacher")
    wanted = draft.head_of_classroom_ids | draft.taught_classroom_ids
    if wanted:
        found = set(
            session.scalars(
                select(Classroom.id).where(
                    Classroom.id.in_(wanted),
                    Classroom.school_id == school_id,
                    Classroom.deleted_at.is_(None),
                )
            )
        )
        if found != set(wanted):
            bad("classes", sorted(set(wanted) - found), "accounts.class_not_in_school")
    if problems:
        raise ValidationFailed(problems)


def _set_classes(session: Session, actor: Actor, user: User, draft: UserDraft) -> None:
    """Make the user head teacher of exactly `draft.head_of…` and teacher of `draft.taught…`."""
    rooms = session.scalars(
        select(Classroom).where(
            (Classroom.head_teacher_id == user.id)
            | Classroom.id.in_(draft.head_of_classroom_ids or [-1])
        )
    ).all()
    for room in rooms:
        wanted = user.id if room.id in draft.head_of_classroom_ids else None
        if room.head_teacher_id == wanted:
            continue
        before = audit.snapshot(room)
        room.head_teacher_id = wanted
        room.updated_by = actor.user_id or None
        session.flush()
        audit.record(
            session, actor, AuditAction.UPDATE, "classroom", room.id, before, audit.snapshot(room)
        )
    current = set(
        session.scalars(
            select(TeachingAssignment.classroom_id).where(TeachingAssignment.user_id == user.id)
        )
    )
    gone = current - draft.taught_classroom_ids
    if gone:
        session.execute(
            delete(TeachingAssignment).where(
                TeachingAssignment.user_id == user.id, TeachingAssignment.classroom_id.in_(gone)
            )
        )
    for room_id in sorted(draft.taught_classroom_ids - current):
        session.add(
            TeachingAssignment(
                school_id=user.school_id,
                user_id=user.id,
                classroom_id=room_id,
                created_by=actor.user_id or None,
            )
        )
    session.flush()


def _clear_classes(session: Session, actor: Actor, user: User) -> None:
    _set_classes(session, actor, user, UserDraft(user.username, user.display_name, user.role))


def _classes_of(
    session: Session, user_ids: list[int]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    heads: dict[int, set[int]] = {}
    taught: dict[int, set[int]] = {}
    if not user_ids:
        return heads, taught
    for room_id, head_id in session.execute(
        select(Classroom.id, Classroom.head_teacher_id).where(
            Classroom.head_teacher_id.in_(user_ids), Classroom.deleted_at.is_(None)
        )
    ):
        heads.setdefault(head_id, set()).add(room_id)
    for user_id, room_id in session.execute(
        select(TeachingAssignment.user_id, TeachingAssignment.classroom_id).where(
            TeachingAssignment.user_id.in_(user_ids)
        )
    ):
        taught.setdefault(user_id, set()).add(room_id)
    return heads, taught


def _audited(session: Session, user: User) -> dict[str, Any]:
    """The user's audited fields, with their classes and without secrets or login noise."""
    values = {k: v for k, v in audit.snapshot(user).items() if k not in _NOT_AUDITED}
    heads, taught = _classes_of(session, [user.id])
    values["head_of_classroom_ids"] = sorted(heads.get(user.id, ()))
    values["taught_classroom_ids"] = sorted(taught.get(user.id, ()))
    return values


def _record_update(session: Session, actor: Actor, user: User, before: dict[str, Any]) -> None:
    after = _audited(session, user)
    audit.record(session, actor, AuditAction.UPDATE, "user", user.id, before, after)


def _local(moment: datetime | None) -> str:
    return "" if moment is None else (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def _name_of(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.scalar(select(User.display_name).where(User.id == user_id))
