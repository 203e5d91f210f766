from datetime import date

import pytest
from sqlalchemy import select

from db.enums import AuditAction, RiskLevel
from db.models import AuditEntry
from services.care.counselling import (
    NoteInput,
    create_note,
    delete_note,
    get_note,
    high_risk_child_ids,
    list_notes,
    update_note,
)
from services.errors import ConflictError, NotAllowed, ValidationFailed
from tests.services.care_helpers import make_care_school


def views(session):
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.VIEW_RESTRICTED)
    ).all()


def note(child, risk=RiskLevel.LOW, day=date(2026, 11, 2), text="谈心：想念外出打工的妈妈"):
    return NoteInput(child.id, day, text, risk)


def test_head_teacher_and_teacher_are_refused_in_the_service(session):
    s = make_care_school(session)
    note_id = create_note(session, s.counsellor, note(s.children_a[0]))
    for actor in (s.head, s.teacher):
        with pytest.raises(NotAllowed):
            list_notes(session, actor)
        with pytest.raises(NotAllowed):
            get_note(session, actor, note_id)
        with pytest.raises(NotAllowed):
            create_note(session, actor, note(s.children_a[0]))
        with pytest.raises(NotAllowed):
            update_note(session, actor, note_id, 1, note(s.children_a[0]))
    assert views(session) == []


def test_a_counsellors_view_writes_an_audit_row(session):
    s = make_care_school(session)
    first = create_note(session, s.counsellor, note(s.children_a[0]))
    second = create_note(session, s.counsellor, note(s.children_b[0], RiskLevel.HIGH))

    frame = list_notes(session, s.counsellor)
    assert set(frame["id"]) == {first, second}
    (entry,) = views(session)
    assert entry.user_id == s.counsellor.user_id and entry.entity == "counselling_notes"
    assert sorted(entry.after["note_ids"]) == sorted([first, second])

    shown = get_note(session, s.principal, second)
    assert shown["risk_level"] == "high"
    last = views(session)[-1]
    assert (last.entity_id, last.role) == (second, "principal")


def test_audit_log_does_not_copy_the_note_text(session):
    s = make_care_school(session)
    note_id = create_note(session, s.counsellor, note(s.children_a[0], text="非常私密的内容"))
    update_note(session, s.admin, note_id, 1, note(s.children_a[0], text="更新后的私密内容"))
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "counselling_notes")
    ).all()
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert all("私密" not in str(e.before) + str(e.after) for e in entries)


def test_validation_conflict_and_delete(session):
    s = make_care_school(session)
    child = s.children_a[0]
    with pytest.raises(ValidationFailed) as caught:
        create_note(session, s.counsellor, NoteInput(child.id, date(2099, 1, 1), " ", "grave"))
    assert len(caught.value.problems) == 3
    note_id = create_note(session, s.counsellor, note(child))
    update_note(session, s.counsellor, note_id, 1, note(child, RiskLevel.MEDIUM))
    with pytest.raises(ConflictError):
        update_note(session, s.principal, note_id, 1, note(child, RiskLevel.HIGH))
    delete_note(session, s.admin, note_id, 2)
    assert list_notes(session, s.admin).empty


def test_high_risk_children_are_those_with_a_recent_high_note(session):
    s = make_care_school(session)
    a0, a1, a2 = s.children_a[0], s.children_a[1], s.children_a[2]
    b0 = s.children_b[0]
    today = date(2026, 11, 28)
    create_note(session, s.counsellor, note(a0, RiskLevel.HIGH, date(2026, 10, 1)))
    create_note(session, s.counsellor, note(a1, RiskLevel.MEDIUM, date(2026, 10, 1)))
    create_note(session, s.counsellor, note(a2, RiskLevel.HIGH, date(2026, 3, 1)))  # too old
    create_note(session, s.counsellor, note(b0, RiskLevel.HIGH, date(2026, 11, 1)))

    assert high_risk_child_ids(session, s.principal, today=today) == {a0.id, b0.id}
    assert high_risk_child_ids(session, s.head, today=today) == {a0.id}  # own class, ids only
    assert high_risk_child_ids(session, s.teacher, today=today) == set()
    assert high_risk_child_ids(session, s.counsellor, since=date(2026, 10, 15)) == {b0.id}
    assert views(session) == []  # ids only: not a view of note content
