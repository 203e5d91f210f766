"""一人一档: what each role sees about one child; counselling notes restricted and audited."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.enums import AidKind, AuditAction, RiskLevel
from db.models import Aid, AuditEntry, CounsellingNote
from services.care import profile
from services.errors import NotAllowed
from services.records import contacts
from tests.services.records_helpers import School


@pytest.fixture
def s(session):
    s = School(session)
    s.kid = s.child(name="小兰", id_card_no="520000201705010000", is_key=True)
    s.pair(s.teacher_user, s.kid)
    contacts.record_contact(
        session, s.head, s.kid.id, date(2026, 11, 2), "phone", "mother", summary="通话"
    )
    session.add(
        Aid(school_id=s.school.id, child_id=s.kid.id, term_id=s.term.id,
            kind=AidKind.HARDSHIP, amount=Decimal("500.00"))
    )  # fmt: skip
    session.add(
        CounsellingNote(school_id=s.school.id, child_id=s.kid.id, note_date=date(2026, 11, 3),
                        summary="情绪低落", risk_level=RiskLevel.MEDIUM)
    )  # fmt: skip
    session.flush()
    return s


def test_head_teacher_sees_the_whole_card_but_no_notes(session, s):
    card = profile.child_profile(session, s.head, s.kid.id)
    assert card.name == "小兰" and card.classroom == "3年级(1)班"
    assert card.archive["id_card_no"] == "520000201705010000"
    assert card.archive["is_key"] is True
    assert card.contacts[["counterpart", "summary"]].values.tolist() == [["mother", "通话"]]
    assert card.pairings["teacher"].tolist() == ["赵老师"]
    assert card.aid["amount"].tolist() == [500.0]
    assert card.may_read_notes is False
    with pytest.raises(NotAllowed):
        profile.counselling_notes(session, s.head, s.kid.id)


def test_counsellor_sees_no_aid_and_no_id_card_and_each_note_view_is_audited(session, s):
    card = profile.child_profile(session, s.counsellor, s.kid.id)
    assert card.aid is None
    assert "id_card_no" not in card.archive
    assert card.may_read_notes is True

    notes = profile.counselling_notes(session, s.counsellor, s.kid.id)
    assert notes["summary"].tolist() == ["情绪低落"]
    views = session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.VIEW_RESTRICTED)
    ).all()
    assert [(v.user_id, v.entity) for v in views] == [(s.counsellor_user.id, "counselling_notes")]


def test_teacher_sees_paired_child_only(session, s):
    stranger = s.child(s.class2, name="陌生")
    assert profile.child_profile(session, s.teacher, s.kid.id).name == "小兰"
    with pytest.raises(NotAllowed):
        profile.child_profile(session, s.teacher, stranger.id)
    with pytest.raises(NotAllowed):
        profile.counselling_notes(session, s.teacher, s.kid.id)


def _other_class_kid_with_aid(session, s):
    other = s.child(classroom=s.class2, name="小竹")
    s.pair(s.head_user, other)
    session.add(
        Aid(school_id=s.school.id, child_id=other.id, term_id=s.term.id,
            kind=AidKind.SPONSOR, sponsor="王丽", amount=Decimal("300.00"), note="爱心")
    )  # fmt: skip
    session.flush()
    return other


def test_teacher_and_counsellor_get_no_aid_from_the_profile(session, s):
    """Issue 13 item 1: aid detail is for principal, admin and own-class head teachers only."""
    assert profile.child_profile(session, s.teacher, s.kid.id).aid is None
    assert profile.child_profile(session, s.counsellor, s.kid.id).aid is None
    assert profile.child_profile(session, s.principal, s.kid.id).aid["amount"].tolist() == [500.0]
    assert profile.child_profile(session, s.admin, s.kid.id).aid["amount"].tolist() == [500.0]


def test_head_teacher_reads_no_aid_of_a_paired_child_of_another_class(session, s):
    other = _other_class_kid_with_aid(session, s)
    card = profile.child_profile(session, s.head, other.id)  # visible: paired
    assert card.name == "小竹"
    assert card.aid is None
    assert profile.child_profile(session, s.head, s.kid.id).aid["amount"].tolist() == [500.0]
