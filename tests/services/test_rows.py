"""services/rows.py: a lost race on an editable row is a ConflictError naming who won and when.

Two sessions stand for two users. Stale version: the page showed version 1, someone else saved,
the save still carries 1. Lost flush: the saving session read the row at version 1 and someone
else committed before its UPDATE, so UPDATE … WHERE version=1 matches nothing and SQLAlchemy
raises StaleDataError. Both must reach the page as ConflictError, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditAction, Role
from db.models import AuditEntry, Child, ContactRule, CounsellingNote, Term, User
from services import rows
from services.accounts import user_admin
from services.actor import Actor
from services.care.counselling import NoteInput, create_note, update_note
from services.compliance.settings import RuleInput, TermInput, save_rule, save_term
from services.errors import ConflictError
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user

WINNER = "赵老师"


@dataclass
class Race:
    """One kind of row: how to make it, how a user saves it at a seen version, how to read it."""

    model: type
    make: Callable[[Session, Actor], int]
    save: Callable[[Session, Actor, int, int, str], object]
    read: Callable[[object], str]
    roles: tuple[Role, Role] = (Role.ADMIN, Role.ADMIN)  # mine, the other user's


PHASES = {
    "start": (date(2026, 9, 1), date(2026, 9, 30)),
    "middle": (date(2026, 11, 1), date(2026, 11, 20)),
    "end": (date(2026, 12, 21), date(2027, 1, 20)),
}


def _term(name: str) -> TermInput:
    return TermInput(name, date(2026, 9, 1), date(2027, 1, 20), PHASES)


def _rule(name: str) -> RuleInput:
    return RuleInput(name, ["guardian"], ["phone"], "head_teacher", "monthly", None, "left_behind")


def _make_user(session: Session, actor: Actor) -> int:
    draft = user_admin.UserDraft("tang", "唐老师", Role.TEACHER)
    return user_admin.create_user(session, actor, draft).user_id


def _make_note(session: Session, actor: Actor) -> int:
    child = session.scalars(select(Child)).first()
    assert child is not None
    return create_note(session, actor, NoteInput(child.id, date(2026, 11, 2), "谈心"))


def _save_note(session: Session, actor: Actor, note_id: int, version: int, text: str) -> None:
    child_id = session.scalars(select(Child.id)).first()
    assert child_id is not None
    update_note(session, actor, note_id, version, NoteInput(child_id, date(2026, 11, 2), text))


RACES = {
    "term": Race(
        Term,
        lambda s, a: save_term(s, a, _term("秋季学期")),
        lambda s, a, i, v, text: save_term(s, a, _term(text), i, v),
        lambda row: row.name,
    ),
    "rule": Race(
        ContactRule,
        lambda s, a: save_rule(s, a, _rule("每月电话")),
        lambda s, a, i, v, text: save_rule(s, a, _rule(text), i, v),
        lambda row: row.name,
    ),
    "user": Race(
        User,
        _make_user,
        lambda s, a, i, v, text: user_admin.update_user(
            s, a, i, v, user_admin.UserDraft("tang", text, Role.TEACHER)
        ),
        lambda row: row.display_name,
    ),
    "counselling_note": Race(
        CounsellingNote,
        _make_note,
        _save_note,
        lambda row: row.summary,
        (Role.COUNSELLOR, Role.PRINCIPAL),
    ),
}


@dataclass
class Two:
    """Two users of one school who may both edit `race`'s rows, and one such row."""

    factory: sessionmaker[Session]
    me: Actor
    other: Actor
    row_id: int


def _two_users(engine: Engine, race: Race) -> Two:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        school = make_school(session)
        make_child(session, school, make_classroom(session, school))
        mine, others = race.roles
        me = actor_of(session, make_user(session, school, mine, display_name="钱老师"))
        other = actor_of(session, make_user(session, school, others, display_name=WINNER))
        row_id = race.make(session, me)
        session.commit()
    return Two(factory, me, other, row_id)


def _someone_else_saves(two: Two, race: Race) -> None:
    with two.factory() as session:
        race.save(session, two.other, two.row_id, 1, "别人先保存")
        session.commit()


@contextmanager
def _read_before_someone_else_saves(two: Two, race: Race) -> Iterator[tuple[Session, object]]:
    """My session with the row read at version 1 and still loaded; its snapshot ended, and then
    the other user committed version 2."""
    with two.factory() as mine:
        seen = mine.get(race.model, two.row_id)
        assert seen.version == 1
        mine.commit()  # (ends SQLite's read snapshot, not the loaded state)
        _someone_else_saves(two, race)
        yield mine, seen


def _assert_lost_to_the_other_user(two: Two, race: Race, lost: pytest.ExceptionInfo) -> None:
    (conflict,) = lost.value.conflicts
    assert (conflict.entity_id, conflict.changed_by) == (two.row_id, WINNER)
    assert conflict.changed_at is not None
    with two.factory() as session:
        assert race.read(session.get(race.model, two.row_id)) == "别人先保存"


@pytest.mark.parametrize("kind", RACES)
def test_saving_a_version_someone_else_replaced_is_a_conflict(engine, kind):
    race = RACES[kind]
    two = _two_users(engine, race)
    _someone_else_saves(two, race)

    with two.factory() as mine, pytest.raises(ConflictError) as lost:
        race.save(mine, two.me, two.row_id, 1, "我的修改")

    _assert_lost_to_the_other_user(two, race, lost)


@pytest.mark.parametrize("kind", RACES)
def test_a_save_committed_between_our_read_and_our_write_is_a_conflict(engine, kind):
    race = RACES[kind]
    two = _two_users(engine, race)
    with _read_before_someone_else_saves(two, race) as (mine, _seen):
        with pytest.raises(ConflictError) as lost:  # our UPDATE finds no version 1
            race.save(mine, two.me, two.row_id, 1, "我的修改")
        mine.rollback()

    _assert_lost_to_the_other_user(two, race, lost)


def test_a_lost_flush_leaves_the_transaction_usable_and_writes_no_audit_entry(engine):
    race = RACES["term"]
    two = _two_users(engine, race)
    with _read_before_someone_else_saves(two, race) as (mine, seen):
        with pytest.raises(ConflictError):
            race.save(mine, two.me, two.row_id, 1, "我的修改")
        mine_only = (AuditEntry.entity == "term", AuditEntry.user_id == two.me.user_id)
        entries = mine.scalars(select(AuditEntry).where(*mine_only)).all()
        assert [e.action for e in entries] == [AuditAction.SETTINGS]  # the create only
        assert seen.name == "别人先保存"


def test_deleting_or_restoring_a_row_changed_meanwhile_is_a_conflict(engine):
    race = RACES["counselling_note"]
    two = _two_users(engine, race)
    with _read_before_someone_else_saves(two, race) as (mine, note):
        with pytest.raises(ConflictError):
            rows.soft_delete_row(mine, two.me, note, 1, "谈心")
        mine.rollback()

    with two.factory() as session:
        note = session.get(CounsellingNote, two.row_id)
        rows.soft_delete_row(session, two.other, note, note.version, "谈心")
        session.commit()
    with two.factory() as mine:
        note = mine.get(CounsellingNote, two.row_id)
        mine.commit()
        with two.factory() as other:
            rows.restore_row(other, two.other, other.get(CounsellingNote, two.row_id))
            other.commit()
        with pytest.raises(ConflictError) as lost:
            rows.restore_row(mine, two.other, note)
        mine.rollback()
    assert lost.value.conflicts[0].changed_by == WINNER


def test_an_update_of_a_deleted_row_is_a_conflict(session):
    school = make_school(session)
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    child = make_child(session, school)
    rows.soft_delete_row(session, principal, child, 1, child.name)
    with pytest.raises(ConflictError):
        rows.update_row(session, principal, child, child.version, {"hobbies": "画画"}, child.name)


def test_every_write_is_audited_with_its_action(session):
    school = make_school(session)
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    child = make_child(session, school)
    rows.update_row(session, principal, child, 1, {"hobbies": "画画"}, child.name)
    rows.soft_delete_row(session, principal, child, 2, child.name)
    rows.restore_row(session, principal, child)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "children").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == [
        AuditAction.UPDATE,
        AuditAction.DELETE,
        AuditAction.RESTORE,
    ]
    assert (entries[0].before, entries[0].after) == ({"hobbies": None}, {"hobbies": "画画"})
    assert child.version == 4


def test_a_password_reset_racing_an_edit_of_the_user_is_a_conflict(engine):
    race = RACES["user"]
    two = _two_users(engine, race)
    with _read_before_someone_else_saves(two, race) as (mine, _seen):
        with pytest.raises(ConflictError) as lost:
            user_admin.reset_password(mine, two.me, two.row_id)
        mine.rollback()
    _assert_lost_to_the_other_user(two, race, lost)
