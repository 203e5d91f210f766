"""Models round-trip on each backend; versions and soft delete behave."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from db.enums import AidKind, AuditAction, ContactChannel, Counterpart, KeyReason, LeftBehindType
from db.models import Aid, AuditEntry, Child, Contact
from tests.factories import make_child, make_classroom, make_school, make_term, make_user


def test_child_round_trips_with_enums_json_and_dates(session):
    school = make_school(session)
    room = make_classroom(session, school)
    child = make_child(
        session,
        school,
        room,
        LeftBehindType.FATHER,
        is_key=True,
        key_reasons=[KeyReason.STUDY.value, KeyReason.ECONOMIC.value],
        father_work_province="广东",
    )
    session.commit()
    session.expunge_all()
    loaded = session.get(Child, child.id)
    assert loaded.left_behind_type is LeftBehindType.FATHER
    assert loaded.key_reasons == ["study", "economic"]
    assert loaded.birth_date == date(2017, 5, 1)
    assert loaded.father_work_province == "广东"
    assert loaded.version == 1


def test_student_number_is_unique_per_school(session):
    school = make_school(session)
    make_child(session, school, student_no="G1")
    other = make_school(session, name="另一所小学")
    make_child(session, other, student_no="G1")  # fine in another school
    session.flush()
    with pytest.raises(IntegrityError):
        make_child(session, school, student_no="G1")


def test_version_bumps_and_stale_update_is_refused(session, engine):
    school = make_school(session)
    child = make_child(session, school)
    session.commit()
    child.name = "改名"
    session.commit()
    assert child.version == 2
    with engine.begin() as conn:  # someone else saves the row
        conn.execute(update(Child).where(Child.id == child.id).values(version=3, name="别人"))
    child.name = "我的修改"
    with pytest.raises(StaleDataError):
        session.commit()


def test_contact_and_aid_round_trip(session):
    school = make_school(session)
    teacher = make_user(session, school)
    term = make_term(session, school)
    child = make_child(session, school)
    session.add_all(
        [
            Contact(
                school_id=school.id,
                child_id=child.id,
                teacher_id=teacher.id,
                contact_date=date(2026, 10, 9),
                channel=ContactChannel.HOME_VISIT,
                counterpart=Counterpart.GUARDIAN,
                summary="家访，了解学习情况",
            ),
            Aid(
                school_id=school.id,
                child_id=child.id,
                term_id=term.id,
                kind=AidKind.TWO_EXEMPT_ONE_SUBSIDY,
                amount=Decimal("625.00"),
            ),
        ]
    )
    session.commit()
    contact = session.scalar(select(Contact))
    assert contact.channel is ContactChannel.HOME_VISIT
    assert session.scalar(select(Aid.amount)) == Decimal("625.00")


def test_audit_rows_cannot_be_changed_or_deleted(session):
    session.add(AuditEntry(action=AuditAction.LOGIN, username="x"))
    session.commit()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_entries SET username = 'y'"))
    session.rollback()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM audit_entries"))
    session.rollback()
    assert session.scalar(select(AuditEntry.username)) == "x"
