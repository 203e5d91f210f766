from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import AidKind
from db.models import Aid, Term
from locales import t
from services.care.aid import aid_totals, child_label, list_aid, save_aid_changes
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.records.grid_rows import GridChanges, RowDelete, RowInsert, RowUpdate
from tests.services.care_helpers import make_care_school


def term_id(session, school):
    return session.scalar(select(Term.id).where(Term.school_id == school.id))


def insert(child, kind, amount, sponsor=None):
    values = {"child": child_label(child.name, child.student_no), "kind": kind, "amount": amount}
    if sponsor is not None:
        values["sponsor"] = sponsor
    return RowInsert(child.name, values)


def test_aid_is_saved_per_child_and_term_and_totalled(session):
    s = make_care_school(session)
    term = term_id(session, s.school)
    a0, a1 = s.children_a[0], s.children_a[1]
    changes = GridChanges(
        inserts=[
            insert(a0, t("enum.AidKind.two_exempt_one_subsidy"), 625.0),  # a label, as typed
            insert(a1, "two_exempt_one_subsidy", 625),
            insert(a1, "sponsor", 300.5, sponsor="王丽"),
        ]
    )
    result = save_aid_changes(session, s.principal, changes, term)
    assert result.created == 3

    totals = aid_totals(session, s.principal, term).set_index("kind")
    assert totals.loc["two_exempt_one_subsidy", ["records", "children"]].tolist() == [2, 2]
    assert totals.loc["two_exempt_one_subsidy", "amount"] == 1250.0
    assert totals.loc["sponsor", "amount"] == 300.5
    stored = session.scalars(select(Aid).where(Aid.kind == AidKind.SPONSOR)).one()
    assert stored.amount == Decimal("300.50") and stored.sponsor == "王丽"

    frame = list_aid(session, s.head, term)
    assert set(frame["child_id"]) == {a0.id, a1.id}
    assert list_aid(session, s.head, term, s.class_b.id).empty


def test_amount_must_be_positive_and_sponsor_named_nothing_written(session):
    s = make_care_school(session)
    term = term_id(session, s.school)
    a0 = s.children_a[0]
    changes = GridChanges(
        inserts=[
            insert(a0, "hardship", 0),
            insert(a0, "sponsor", 200),
            insert(a0, "two_exempt_one_subsidy", 100),
        ]
    )
    with pytest.raises(ValidationFailed) as caught:
        save_aid_changes(session, s.principal, changes, term)
    reasons = sorted(p.message for p in caught.value.problems)
    assert reasons == sorted([t("aid.reason.amount"), t("aid.reason.sponsor")])
    assert session.scalar(select(func.count(Aid.id))) == 0


def test_update_conflict_and_delete(session):
    s = make_care_school(session)
    term = term_id(session, s.school)
    save_aid_changes(
        session, s.principal, GridChanges(inserts=[insert(s.children_a[0], "hardship", 500)]), term
    )
    aid_id = session.scalar(select(Aid.id))
    update = GridChanges(updates=[RowUpdate(aid_id, 1, "x", {"amount": 800.0})])
    assert save_aid_changes(session, s.admin, update, term).updated == 1
    with pytest.raises(ConflictError):
        save_aid_changes(session, s.admin, update, term)
    # Turning it into sponsor aid without a name is refused, stored sponsor being empty.
    with pytest.raises(ValidationFailed):
        save_aid_changes(
            session,
            s.admin,
            GridChanges(updates=[RowUpdate(aid_id, 2, "x", {"kind": "sponsor"})]),
            term,
        )
    save_aid_changes(session, s.admin, GridChanges(deletes=[RowDelete(aid_id, 2, "x")]), term)
    assert list_aid(session, s.principal, term).empty


def test_roles_without_aid_detail_are_refused(session):
    s = make_care_school(session)
    term = term_id(session, s.school)
    for actor in (s.counsellor, s.teacher):
        with pytest.raises(NotAllowed):
            list_aid(session, actor, term)
        with pytest.raises(NotAllowed):
            aid_totals(session, actor)
    with pytest.raises(NotAllowed):
        save_aid_changes(
            session, s.head, GridChanges(inserts=[insert(s.children_a[0], "hardship", 5)]), term
        )


def test_head_teacher_lists_aid_of_own_class_children_only_not_paired_ones(session):
    """Issue 13 item 1: a head teacher paired with a child of another class reads no aid of it."""
    from services.care.aid import aid_totals, class_children
    from tests.services.compliance_helpers import pair

    s = make_care_school(session)
    term = term_id(session, s.school)
    a0, b0 = s.children_a[0], s.children_b[0]
    pair(session, s.head_user, b0, session.get(Term, term))
    changes = GridChanges(
        inserts=[insert(a0, "hardship", 500), insert(b0, "sponsor", 300, sponsor="王丽")]
    )
    save_aid_changes(session, s.principal, changes, term)

    assert set(list_aid(session, s.head, term)["child_id"]) == {a0.id}
    assert list_aid(session, s.head, term, s.class_b.id).empty
    assert b0.id not in set(class_children(session, s.head, None).values())
    assert aid_totals(session, s.head, term)["amount"].sum() == 500.0
    assert set(list_aid(session, s.principal, term)["child_id"]) == {a0.id, b0.id}
    for actor in (s.teacher, s.counsellor):
        with pytest.raises(NotAllowed):
            list_aid(session, actor, term)
