"""The administrator's view of the school's users: rows, a display table, class choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Classroom, User
from locales import enum_label
from services.accounts.signin import as_utc, now
from services.accounts.user_admin import is_system, require_admin
from services.accounts.user_classes import classes_of
from services.actor import Actor

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


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    """The users of the administrator's school, by username."""
    require_admin(actor)
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.username)
    if not is_system(actor):
        query = query.where(User.school_id == actor.school_id)
    users = session.scalars(query).all()
    heads, taught = classes_of(session, [u.id for u in users])
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
    require_admin(actor)
    rooms = session.execute(
        select(Classroom.id, Classroom.name)
        .where(Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None))
        .order_by(Classroom.grade, Classroom.number, Classroom.name)
    ).all()
    return [ClassroomOption(room.id, room.name) for room in rooms]


def _local(moment: datetime | None) -> str:
    return "" if moment is None else (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
