"""Builders for the children's archive, contact and pairing tests (issue 4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Pairing
from services.actor import Actor
from tests.factories import (
    actor_of,
    make_child,
    make_classroom,
    make_pairing,
    make_school,
    make_term,
    make_user,
)


class _ActorOf:
    """`school.principal` is the actor of `school.principal_user`, loaded afresh on each read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.user_attribute = f"{name}_user"

    def __get__(self, school: School, owner: type | None = None) -> Actor:
        return actor_of(school.session, getattr(school, self.user_attribute))


class School:
    """A small school: two classes (head teacher for class 1), a teacher, counsellor, leaders."""

    principal = _ActorOf()
    head = _ActorOf()
    teacher = _ActorOf()
    counsellor = _ActorOf()
    admin = _ActorOf()

    def __init__(self, session: Session) -> None:
        self.session = session
        self.school = make_school(session)
        self.head_user = make_user(session, self.school, Role.HEAD_TEACHER, display_name="李老师")
        self.class1 = make_classroom(session, self.school, grade=3, number=1, head=self.head_user)
        self.class2 = make_classroom(session, self.school, grade=4, number=1)
        self.principal_user = make_user(session, self.school, Role.PRINCIPAL, display_name="王校长")
        self.teacher_user = make_user(session, self.school, Role.TEACHER, display_name="赵老师")
        self.counsellor_user = make_user(session, self.school, Role.COUNSELLOR)
        self.admin_user = make_user(session, self.school, Role.ADMIN)
        self.term = make_term(session, self.school)

    def child(self, classroom=None, **fields: object):  # type: ignore[no-untyped-def]
        return make_child(self.session, self.school, classroom or self.class1, **fields)

    def pair(self, teacher, child) -> Pairing:  # type: ignore[no-untyped-def]
        return make_pairing(self.session, teacher, child, self.term)
