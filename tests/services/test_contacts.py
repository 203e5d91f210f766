"""Contacts: scope, quick entry, date rules, the grid's save path, soft delete and restore."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from components.grid import GridState, collect_changes, editor_frame
from db.enums import AuditAction, ContactChannel, ContactOutcome, Counterpart
from db.models import AuditEntry, Contact
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.records import contacts
from services.records.contacts import ContactFilter
from services.records.specs import GridChanges, RowDelete, RowInsert, RowUpdate
from tests.services.records_helpers import School


def quick(session, actor, child, when=date(2026, 11, 20), **kw):
    if "summary" not in kw:
        kw.setdefault("outcome", "visited")  # a contact must say something
    return contacts.record_contact(
        session, actor, child.id, when, kw.pop("channel", "home_visit"),
        kw.pop("counterpart", "guardian"), **kw,
    )  # fmt: skip


def contact_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Contact))


def test_teacher_logs_a_contact_for_a_paired_child_only(session):
    s = School(session)
    paired = s.child(s.class2, name="结对娃")
    stranger = s.child(s.class2, name="陌生娃")
    s.pair(s.teacher_user, paired)

    contact_id = quick(
        session, s.teacher, paired, summary="家访，奶奶身体好", follow_up_date=date(2026, 12, 1)
    )
    contact = session.get(Contact, contact_id)
    assert (contact.teacher_id, contact.channel, contact.follow_up_needed) == (
        s.teacher_user.id, ContactChannel.HOME_VISIT, True,
    )  # fmt: skip
    audit = session.scalar(select(AuditEntry).where(AuditEntry.entity == "contacts"))
    assert (audit.action, audit.entity_id) == (AuditAction.CREATE, contact_id)
    with pytest.raises(NotAllowed):
        quick(session, s.teacher, stranger)
    assert contact_count(session) == 1


def test_contact_before_birth_or_in_the_future_is_refused(session):
    s = School(session)
    child = s.child(name="小新", birth_date=date(2018, 3, 1))
    with pytest.raises(ValidationFailed) as before_birth:
        quick(session, s.head, child, when=date(2018, 2, 1))
    assert before_birth.value.problems[0].row == "小新"
    assert "出生" in before_birth.value.problems[0].message
    with pytest.raises(ValidationFailed) as future:
        quick(session, s.head, child, when=date.today() + timedelta(days=2))
    assert future.value.problems[0].column == "联系日期"
    with pytest.raises(ValidationFailed):
        quick(session, s.head, child, channel="telepathy")
    assert contact_count(session) == 0


def test_quick_entry_that_says_nothing_is_refused(session):
    s = School(session)
    child = s.child(name="小明")
    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            quick(session, s.head, child, channel="phone", summary=blank)
        assert refused.value.problems[0].reason == "contacts.reason.says_nothing"
        assert refused.value.problems[0].column == "联系内容"
    assert contact_count(session) == 0


def test_a_chosen_outcome_is_enough_and_an_unanswered_call_is_recorded(session):
    s = School(session)
    child = s.child(name="小明")
    talked = quick(session, s.head, child, channel="phone", outcome="talked")
    missed = quick(session, s.head, child, channel="phone", outcome="no_answer")
    outcomes = [session.get(Contact, i).outcome for i in (talked, missed)]
    assert outcomes == [ContactOutcome.TALKED, ContactOutcome.NO_ANSWER]
    with pytest.raises(ValidationFailed):
        quick(session, s.head, child, channel="phone", outcome="shrugged")
    assert contact_count(session) == 2


def test_grid_rows_that_say_nothing_write_nothing(session):
    s = School(session)
    child = s.child(name="小明")
    kept = quick(session, s.head, child, summary="家访，奶奶身体好")
    label = "小明（3年级(1)班）"
    blank_row = {"child": label, "contact_date": date(2026, 11, 20), "channel": "phone",
                 "counterpart": "guardian", "summary": " "}  # fmt: skip
    with pytest.raises(ValidationFailed) as added:
        contacts.save_contacts(session, s.head, GridChanges(inserts=[RowInsert(label, blank_row)]))
    assert [p.reason for p in added.value.problems] == ["contacts.reason.says_nothing"]
    emptied = GridChanges(updates=[RowUpdate(kept, 1, label, {"summary": ""})])
    with pytest.raises(ValidationFailed):
        contacts.save_contacts(session, s.head, emptied)
    assert contact_count(session) == 1
    assert session.get(Contact, kept).summary == "家访，奶奶身体好"
    unanswered = {"summary": "", "outcome": "未接通"}
    with_outcome = GridChanges(updates=[RowUpdate(kept, 1, label, unanswered)])
    contacts.save_contacts(session, s.head, with_outcome)
    assert session.get(Contact, kept).outcome == ContactOutcome.NO_ANSWER


def test_list_is_scoped_and_filtered_by_date(session):
    s = School(session)
    own = s.child(name="本班")
    other = s.child(s.class2, name="别班")
    quick(session, s.principal, own, when=date(2026, 10, 1))
    quick(session, s.principal, own, when=date(2026, 11, 1))
    quick(session, s.principal, other, when=date(2026, 11, 2))

    head_page = contacts.list_contacts(session, s.head, ContactFilter())
    assert head_page.total == 2
    assert head_page.frame["contact_date"].tolist() == [date(2026, 11, 1), date(2026, 10, 1)]
    assert head_page.frame["teacher"].tolist() == ["王校长", "王校长"]
    november = contacts.list_contacts(
        session, s.principal, ContactFilter(date_from=date(2026, 11, 1))
    )
    assert sorted(november.frame["child"]) == sorted(["本班（3年级(1)班）", "别班（4年级(1)班）"])
    assert contacts.list_contacts(session, s.teacher, ContactFilter()).total == 0


def test_grid_edits_and_added_rows_reach_the_database(session):
    s = School(session)
    child = s.child(name="小明")
    for day in (1, 2, 3):
        quick(session, s.head, child, when=date(2026, 11, day))
    page = contacts.list_contacts(session, s.head, ContactFilter(), offset=1, limit=2)
    specs = contacts.contact_columns(session, s.head, None)
    state = GridState(base=editor_frame(page.frame, specs, s.head))
    changes = collect_changes(
        state,
        {
            "edited_rows": {1: {"summary": "改过", "counterpart": "父亲"}},
            "added_rows": [
                {"child": "小明（3年级(1)班）", "contact_date": "2026-11-25", "channel": "电话",
                 "counterpart": "母亲", "summary": "新的"}
            ],
        },
        label_field="child",
    )  # fmt: skip
    contacts.save_contacts(session, s.head, changes)

    first = session.scalar(select(Contact).where(Contact.contact_date == date(2026, 11, 1)))
    assert (first.summary, first.counterpart, first.version) == ("改过", Counterpart.FATHER, 2)
    added = session.scalar(select(Contact).where(Contact.contact_date == date(2026, 11, 25)))
    assert (added.child_id, added.channel, added.teacher_id) == (
        child.id, ContactChannel.PHONE, s.head_user.id,
    )  # fmt: skip


def test_invalid_grid_rows_write_nothing(session):
    s = School(session)
    child = s.child(name="小明", birth_date=date(2017, 1, 1))
    contact_id = quick(session, s.head, child)
    changes = GridChanges(
        updates=[RowUpdate(contact_id, 1, "小明", {"contact_date": "2016-01-01", "summary": "x"})]
    )
    with pytest.raises(ValidationFailed):
        contacts.save_contacts(session, s.head, changes)
    session.refresh(contact := session.get(Contact, contact_id))
    assert (contact.summary, contact.version) == (None, 1)


def test_counsellor_reads_but_may_not_write(session):
    s = School(session)
    child = s.child(name="小明")
    contact_id = quick(session, s.head, child)
    assert contacts.list_contacts(session, s.counsellor, ContactFilter()).total == 1
    with pytest.raises(NotAllowed):
        contacts.save_contacts(
            session, s.counsellor, GridChanges(deletes=[RowDelete(contact_id, 1, "小明")])
        )
    with pytest.raises(NotAllowed):
        quick(session, s.counsellor, child)


def test_stale_contact_edit_conflicts(session):
    s = School(session)
    child = s.child(name="小明")
    contact_id = quick(session, s.head, child)
    contacts.save_contacts(
        session,
        s.principal,
        GridChanges(updates=[RowUpdate(contact_id, 1, "小明", {"summary": "a"})]),
    )
    with pytest.raises(ConflictError) as refused:
        contacts.save_contacts(
            session,
            s.head,
            GridChanges(updates=[RowUpdate(contact_id, 1, "小明", {"summary": "b"})]),
        )
    assert refused.value.conflicts[0].changed_by == "王校长"
    assert session.get(Contact, contact_id).summary == "a"


def test_soft_delete_and_restore(session):
    s = School(session)
    child = s.child(name="小明")
    contact_id = quick(session, s.head, child)
    contacts.save_contacts(session, s.head, GridChanges(deletes=[RowDelete(contact_id, 1, "小明")]))
    assert contacts.list_contacts(session, s.head, ContactFilter()).total == 0
    assert contacts.list_deleted_contacts(session, s.principal)["id"].tolist() == [contact_id]
    with pytest.raises(NotAllowed):
        contacts.restore_contacts(session, s.head, [contact_id])
    assert contacts.restore_contacts(session, s.principal, [contact_id]) == 1
    assert contacts.list_contacts(session, s.head, ContactFilter()).total == 1


def test_long_lists_count_up_to_a_cap(session, monkeypatch):
    s = School(session)
    child = s.child(name="小明")
    for day in range(1, 6):
        quick(session, s.head, child, when=date(2026, 11, day))
    monkeypatch.setattr(contacts, "COUNT_CAP", 3)
    page = contacts.list_contacts(session, s.principal, ContactFilter(), offset=0, limit=2)
    assert (page.total, page.capped, len(page.frame)) == (3, True, 2)
    page = contacts.list_contacts(session, s.head, ContactFilter(date_from=date(2026, 11, 4)))
    assert (page.total, page.capped) == (2, False)


def test_children_with_the_same_name_in_a_class_get_their_student_number(session):
    s = School(session)
    s.child(name="张伟", student_no="G00000011")
    s.child(name="张伟", student_no="G00000012")
    s.child(s.class2, name="张伟", student_no="G00000013")
    labels = sorted(contacts.child_labels(session, s.principal).values())
    assert labels == [
        "张伟（3年级(1)班） G00000011",
        "张伟（3年级(1)班） G00000012",
        "张伟（4年级(1)班）",
    ]
