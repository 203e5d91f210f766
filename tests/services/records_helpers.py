"""Builders for the children's archive, contact and pairing tests (issue 4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Pairing
from services.actor import Actor
from tests.factories import actor_of, make_child, make_classroom, make_school, make_term, make_user


class School:
    """A small school: two classes (head teacher for class 1), a teacher, counsellor, leaders."""

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
        pairing = Pairing(
            school_id=self.school.id, teacher_id=teacher.id, child_id=child.id, term_id=self.term.id
        )
        self.session.add(pairing)
        self.session.flush()
        return pairing

    @property
    def principal(self) -> Actor:
        return actor_of(self.session, self.principal_user)

    @property
    def head(self) -> Actor:
        return actor_of(self.session, self.head_user)

    @property
    def teacher(self) -> Actor:
        return actor_of(self.session, self.teacher_user)

    @property
    def counsellor(self) -> Actor:
        return actor_of(self.session, self.counsellor_user)

    @property
    def admin(self) -> Actor:
        return actor_of(self.session, self.admin_user)
