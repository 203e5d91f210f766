"""Pairings: assigning per term, duplicates, teacher load, unpaired key children first."""

import pytest
from sqlalchemy import select

from db.enums import LeftBehindType
from db.models import Pairing
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.records import pairings
from services.records.specs import GridChanges, RowDelete, RowInsert, RowUpdate
from tests.factories import make_term
from tests.services.records_helpers import School


def test_principal_assigns_and_load_warns_above_three(session):
    s = School(session)
    kids = [s.child(name=f"娃{i}") for i in range(4)]
    pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [k.id for k in kids])

    loads = pairings.teacher_loads(session, s.principal, s.term.id).set_index("teacher")
    assert loads.at["赵老师", "children"] == 4
    assert bool(loads.at["赵老师", "over_limit"]) is True
    assert loads.at["李老师", "children"] == 0
    stored = session.scalars(select(Pairing).where(Pairing.teacher_id == s.teacher_user.id)).all()
    assert len(stored) == 4 and all(p.start_date is not None for p in stored)


def test_same_pair_twice_in_a_term_is_refused(session):
    s = School(session)
    kid = s.child(name="小明")
    pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [kid.id])
    with pytest.raises(ValidationFailed) as failed:
        pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [kid.id])
    assert "已与这名儿童结对" in failed.value.problems[0].message
    other_term = make_term(session, s.school)
    pairings.assign(session, s.principal, other_term.id, s.teacher_user.id, [kid.id])
    assert session.query(Pairing).count() == 2


def test_unpaired_lists_key_children_first_and_skips_non_left_behind(session):
    s = School(session)
    s.child(name="普通")
    key = s.child(s.class2, name="重点", is_key=True)
    s.child(name="非留守", left_behind_type=LeftBehindType.NONE)
    paired = s.child(name="已结对")
    pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [paired.id])

    unpaired = pairings.unpaired_children(session, s.principal, s.term.id)
    assert unpaired["name"].tolist() == ["重点", "普通"]
    assert unpaired.at[0, "id"] == key.id


def test_grid_edit_conflict_and_delete(session):
    s = School(session)
    kid = s.child(name="小明")
    pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [kid.id])
    page = pairings.list_pairings(session, s.principal, s.term.id)
    row_id = int(page.frame.at[0, "id"])
    assert page.frame.at[0, "child"] == "小明（3年级(1)班）"

    change = RowUpdate(row_id, 1, "小明", {"goal": "每周谈心", "teacher": "李老师"})
    pairings.save_pairings(session, s.admin, s.term.id, GridChanges(updates=[change]))
    stored = session.get(Pairing, row_id)
    assert (stored.goal, stored.teacher_id) == ("每周谈心", s.head_user.id)
    with pytest.raises(ConflictError):
        pairings.save_pairings(
            session, s.principal, s.term.id,
            GridChanges(updates=[RowUpdate(row_id, 1, "小明", {"goal": "旧"})]),
        )  # fmt: skip
    pairings.save_pairings(
        session, s.principal, s.term.id, GridChanges(deletes=[RowDelete(row_id, 2, "小明")])
    )
    assert pairings.list_pairings(session, s.principal, s.term.id).total == 0


def test_only_leaders_assign_and_head_teacher_sees_own_children(session):
    s = School(session)
    own = s.child(name="本班")
    other = s.child(s.class2, name="别班")
    pairings.assign(session, s.principal, s.term.id, s.teacher_user.id, [own.id, other.id])
    assert pairings.list_pairings(session, s.head, s.term.id).frame["child"].tolist() == [
        "本班（3年级(1)班）"
    ]
    insert = RowInsert("x", {"teacher": "赵老师", "child": "本班（3年级(1)班）"})
    for actor in (s.head, s.teacher, s.counsellor):
        with pytest.raises(NotAllowed):
            pairings.save_pairings(session, actor, s.term.id, GridChanges(inserts=[insert]))
    with pytest.raises(NotAllowed):
        pairings.list_pairings(session, s.teacher, s.term.id)


def test_end_before_start_is_a_problem(session):
    s = School(session)
    kid = s.child(name="小明")
    insert = RowInsert(
        "小明",
        {"teacher": "赵老师", "child": "小明（3年级(1)班）", "start_date": "2026-10-01",
         "end_date": "2026-09-01"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as failed:
        pairings.save_pairings(session, s.principal, s.term.id, GridChanges(inserts=[insert]))
    assert failed.value.problems[0].column == "结束日期"
    assert session.query(Pairing).filter_by(child_id=kid.id).count() == 0


def test_teachers_alike_in_name_are_told_apart_by_class_or_subject_never_login(session):
    from db.enums import Role
    from db.models import TeachingAssignment
    from tests.factories import make_user

    s = School(session)
    head = make_user(session, s.school, Role.HEAD_TEACHER, display_name="张娟")
    s.class2.head_teacher_id = head.id
    taught = make_user(session, s.school, Role.TEACHER, display_name="张娟")
    session.add(TeachingAssignment(school_id=s.school.id, user_id=taught.id,
                                   classroom_id=s.class1.id, subject="语文"))  # fmt: skip
    session.flush()

    labels = pairings.teacher_labels(session, s.principal)
    assert labels[s.teacher_user.id] == "赵老师"
    assert labels[head.id] == f"张娟（{s.class2.name}）"
    assert labels[taught.id] == f"张娟（{s.class1.name} 语文）"
    assert not any(u.username in label for u in (head, taught) for label in labels.values())
