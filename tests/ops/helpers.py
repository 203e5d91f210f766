"""Builders for the operations tests: a small school, and a background writer."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.engine import write_session
from db.enums import LeftBehindType, Role
from db.models import Child, School
from services.actor import Actor, load_actor
from tests.factories import make_child, make_classroom, make_school, make_user


def small_school(engine: Engine, children: int = 20) -> dict[str, Actor]:
    """One school with an admin, a teacher, a class and `children` children; returns actors."""
    with Session(engine) as session:
        school = make_school(session)
        admin = make_user(session, school, Role.ADMIN, username="admin")
        teacher = make_user(session, school, Role.TEACHER, username="teacher")
        room = make_classroom(session, school, head=teacher)
        for i in range(children):
            make_child(session, school, room, LeftBehindType.BOTH if i % 2 else LeftBehindType.NONE)
        session.commit()
        return {"admin": load_actor(session, admin.id), "teacher": load_actor(session, teacher.id)}


def count_children(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Child)) or 0


class ChildWriter(threading.Thread):
    """Adds one child per transaction until stopped, like a teacher typing in the grid."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with write_session(self.engine) as session:
                    school = session.scalars(select(School).limit(1)).one()
                    make_child(session, school, name=f"并发儿童{self.written}")
                self.written += 1
            except BaseException as exc:  # the test reports every failure
                self.errors.append(exc)
                return

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=30)
