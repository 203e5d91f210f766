"""User management for the administrator: add, edit role and classes, disable, reset password.

An administrator manages the users of their own school. Bureau accounts and moving a user to
another school are done on the server with `python -m services.accounts.cli` (the system actor).
Every change goes through services/rows.py (optimistic locking, audited in the same
transaction); password hashes never enter the audit log.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Classroom, School, User
from services import audit, permissions
from services.accounts.passwords import hash_password, password_problem
from services.accounts.signin import normalise_username, store_password
from services.accounts.user_classes import classes_of, set_user_classes
from services.actor import SYSTEM_ACTOR, Actor
from services.errors import NotAllowed, NotFound, Problem, ValidationFailed
from services.permissions import Action
from services.rows import AuditAs, creating, editing, race_guard

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# Roles a school administrator may give; bureau accounts see a whole county.
SCHOOL_ROLES = (Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR)
_NOT_AUDITED = {"password_hash", "last_seen_at", "last_login_at", "failed_logins", "locked_until"}
_NOT_AUDITED |= {"failures_since"}  # login bookkeeping (services/accounts/lockout.py)
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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


class OwnAccountRefused(NotAllowed):
    """An administrator may not disable their own account nor end their own sign-ins: they would
    lock themselves out, maybe the school's last administrator; another administrator can."""

    message_key = "accounts.error.own_account"


def refuse_own_account(actor: Actor, user_id: int) -> None:
    """OwnAccountRefused when the administrator acts on their own account."""
    if user_id == actor.user_id:
        raise OwnAccountRefused("an administrator cannot disable or sign out themselves")


def one_time_password(length: int = 10) -> str:
    """A random password that meets the policy (services/accounts/passwords.py)."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if password_problem(candidate) is None:
            return candidate


def create_user(
    session: Session, actor: Actor, draft: UserDraft, school_id: int | None = None
) -> IssuedPassword:
    """Add a user with a one-time password (to be changed at first sign-in)."""
    require_admin(actor)
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
    )
    with creating(session, actor, user, _audit_as(session)):
        set_user_classes(
            session, actor, user, draft.head_of_classroom_ids, draft.taught_classroom_ids
        )
    return IssuedPassword(user.id, user.username, password)


def update_user(
    session: Session, actor: Actor, user_id: int, version: int, draft: UserDraft
) -> None:
    """Change name, role, phone and classes; refuses if someone saved the user since `version`."""
    user = _managed_user(session, actor, user_id)
    with editing(session, actor, user, version, user.username, _audit_as(session)):
        if user.id == actor.user_id and draft.role != user.role:
            raise NotAllowed("an administrator cannot change their own role")
        _target_school(session, actor, draft.role, user.school_id)
        _validate(session, draft, user.school_id, username=None)
        user.display_name = draft.display_name.strip()
        user.role = draft.role
        user.phone = (draft.phone or "").strip() or None
        set_user_classes(
            session, actor, user, draft.head_of_classroom_ids, draft.taught_classroom_ids
        )


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Disable (signs the user out everywhere at their next action) or re-enable a user.

    Not version-checked: the switch means the same whatever else changed meanwhile."""
    user = _managed_user(session, actor, user_id)
    if not active:
        refuse_own_account(actor, user.id)
    with editing(session, actor, user, None, user.username, _audit_as(session)):
        user.active = active
        if active:
            user.failed_logins, user.locked_until = 0, None


def reset_password(session: Session, actor: Actor, user_id: int) -> IssuedPassword:
    """Issue a new one-time password, lift any lock and force a change at next sign-in."""
    user = _managed_user(session, actor, user_id)
    password = one_time_password()
    with race_guard(session, user, user.username):
        user.failed_logins, user.locked_until = 0, None
        store_password(session, actor, user, password, must_change=True, how="reset")
    return IssuedPassword(user.id, user.username, password)


def set_user_school(session: Session, actor: Actor, user_id: int, school_id: int) -> None:
    """Move a user to another school (system actor only: it changes what the user can see)."""
    if not is_system(actor):
        raise NotAllowed("only the server command may move users between schools")
    user = _managed_user(session, actor, user_id)
    school = session.get(School, school_id)
    if school is None or school.deleted_at is not None:
        raise NotFound("school")
    with editing(session, actor, user, None, user.username, _audit_as(session)):
        set_user_classes(session, actor, user)  # classes belong to the old school
        user.school_id, user.county = school.id, school.county


def is_system(actor: Actor) -> bool:
    return actor.user_id == SYSTEM_ACTOR.user_id and actor.school_id is None


def require_admin(actor: Actor) -> None:
    permissions.require(actor, Action.MANAGE_USERS)
    if actor.school_id is None and not is_system(actor):
        raise NotAllowed("administrator without a school")


def _managed_user(session: Session, actor: Actor, user_id: int) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("user")
    if not is_system(actor) and user.school_id != actor.school_id:
        raise NotAllowed("user of another school")
    return user


def _target_school(session: Session, actor: Actor, role: Role, school_id: int | None) -> int | None:
    """The school a user with `role` will belong to; bureau accounts have none."""
    if role == Role.BUREAU:
        if not is_system(actor):
            raise NotAllowed("bureau accounts are created on the server")
        return None
    if is_system(actor):
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


def _audited(session: Session, user: User) -> dict[str, Any]:
    """The user's audited fields, with their classes and without secrets or login noise."""
    values = {k: v for k, v in audit.snapshot(user).items() if k not in _NOT_AUDITED}
    heads, taught = classes_of(session, [user.id])
    values["head_of_classroom_ids"] = sorted(heads.get(user.id, ()))
    values["taught_classroom_ids"] = sorted(taught.get(user.id, ()))
    return values


def _audit_as(session: Session) -> AuditAs:
    return AuditAs("user", lambda user: _audited(session, user))


def audit_as_user(session: Session) -> AuditAs:
    """How user rows appear in the audit log (no secrets, with classes), for other writers of
    users such as the staff import (services/importing/staff_writer.py)."""
    return _audit_as(session)
