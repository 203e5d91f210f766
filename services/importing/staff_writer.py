"""Writing a checked staff plan: new classes, new accounts with one-time passwords, updated
accounts, their head-teacher and teaching classes, and one import audit entry.

Called only by services/importing/staff.py `apply_staff_import`, inside the page's one
transaction. Accounts are written through services/rows.py and audited as the user
administration audits them (services/accounts/user_admin.py: no password hashes, with classes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Classroom, School, User
from locales import t
from services.accounts.passwords import hash_password
from services.accounts.user_admin import audit_as_user, one_time_password
from services.accounts.user_classes import set_user_classes
from services.actor import Actor
from services.importing.writer import record_import
from services.rows import create_row, creating, editing

if TYPE_CHECKING:
    from services.importing.parsing import Progress
    from services.importing.staff import StaffPlan, StaffRow

INSERT, UPDATE = "insert", "update"


@dataclass(frozen=True)
class OneTimeSecret:
    """A one-time password and its hash, made before the write transaction."""

    password: str = field(repr=False)
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class Slip:
    """What the principal hands a new colleague: name, role, username, one-time password."""

    name: str
    role: Role
    username: str
    one_time_password: str = field(repr=False)


def issue_secrets(count: int, progress: Progress | None = None) -> list[OneTimeSecret]:
    """`count` one-time passwords (services/accounts/user_admin.py) with their bcrypt hashes."""
    secrets = []
    for done in range(max(count, 0)):
        password = one_time_password()
        secrets.append(OneTimeSecret(password, hash_password(password)))
        if progress:
            progress((done + 1) / count, t("staff.progress.passwords", done=done + 1, total=count))
    return secrets


def write_staff_plan(
    session: Session,
    actor: Actor,
    plan: StaffPlan,
    secrets: list[OneTimeSecret],
    progress: Progress | None = None,
) -> list[Slip]:
    """Write `plan` (already free of problems); returns a slip per new account."""
    room_ids = dict(plan.room_ids)
    for key, name in sorted(plan.new_classrooms.items()):
        room = Classroom(school_id=actor.school_id, grade=key[0], number=key[1], name=name)
        create_row(session, actor, room)
        room_ids[key] = room.id
    school = session.get(School, actor.school_id)
    county = school.county if school else None
    audited = audit_as_user(session)
    slips: list[Slip] = []
    new_ids: list[int] = []
    written = [r for r in plan.rows if r.action in (INSERT, UPDATE)]
    for done, row in enumerate(written, start=1):
        heads = frozenset(room_ids[k] for k in row.head_keys)
        taught = frozenset(room_ids[k] for k in row.taught_keys)
        if row.action == INSERT:
            secret = secrets[len(slips)]
            user = _new_user(actor, row, county, secret)
            with creating(session, actor, user, audited):
                set_user_classes(session, actor, user, heads, taught)
            new_ids.append(user.id)
            slips.append(Slip(row.name, row.role, row.username, secret.password))
        else:
            _update_user(session, actor, row, heads, taught)
        if progress:
            progress(done / len(written), t("staff.progress.writing", done=done))
    inserted, updated = len(slips), len(written) - len(slips)
    record_import(session, actor, "user", "staff.audit_detail", plan, inserted, updated, new_ids)
    return slips


def _new_user(actor: Actor, row: StaffRow, county: str | None, secret: OneTimeSecret) -> User:
    return User(
        school_id=actor.school_id,
        county=county,
        username=row.username,
        display_name=row.name,
        role=row.role,
        phone=row.phone,
        password_hash=secret.password_hash,
        active=True,
        must_change_password=True,
    )


def _update_user(
    session: Session, actor: Actor, row: StaffRow, heads: frozenset[int], taught: frozenset[int]
) -> None:
    user = session.get(User, row.user_id)
    assert user is not None  # planned in this transaction
    with editing(session, actor, user, None, user.username, audit_as_user(session)):
        user.display_name = row.name
        user.role = row.role
        user.phone = row.phone
        set_user_classes(session, actor, user, heads, taught)
