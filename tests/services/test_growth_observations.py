"""成长观察 (issue 17 item 2): the grid's rows, saving, the all-four rule, who may rate whom."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.enums import AuditAction, LeftBehindType, Role
from db.growth_models import GrowthObservation
from db.models import AuditEntry, Term, User
from locales import t
from services.errors import ConflictError, NotAllowed, NotFound, ValidationFailed
from services.growth.observations import (
    MY_PAIRED,
    observation_classrooms,
    observation_frame,
    observation_specs,
    picks_class,
    save_observations,
)
from services.ops.audit_sentences import names_for, sentence
from services.records.grid_rows import GridChanges, RowUpdate
from services.records.specs import check_value
from tests.factories import actor_of, make_child, make_pairing, make_school, make_term, make_user
from tests.services.care_helpers import make_care_school

FULL = {"study": "3", "emotion": "2", "habits": "4", "self_care": "5", "note": "想妈妈，话少"}


@pytest.fixture
def s(session):  # type: ignore[no-untyped-def]
    """The care school; the subject teacher is paired with 乙0 (class B) this term."""
    school = make_care_school(session)
    school.term = session.scalar(select(Term).where(Term.school_id == school.school.id))
    make_pairing(
        session, session.get(User, school.teacher.user_id), school.children_b[0], school.term
    )
    session.flush()
    return school


def save(session, actor, s, updates, classroom=None):  # type: ignore[no-untyped-def]
    room_id = classroom.id if classroom is not None else None
    return save_observations(session, actor, GridChanges(updates=updates), s.term.id, room_id)


def rate(child, version=0, **values):  # type: ignore[no-untyped-def]
    return RowUpdate(child.id, version, child.name, values or dict(FULL))


def stored(session):  # type: ignore[no-untyped-def]
    return session.scalars(select(GrowthObservation).order_by(GrowthObservation.id)).all()


def test_the_grid_lists_the_left_behind_children_of_the_class(session, s):
    frame = observation_frame(session, s.head, s.term.id, s.class_a.id)
    assert frame["name"].tolist() == ["甲0", "甲1", "甲2"]  # 甲3 is not left-behind
    assert frame["version"].tolist() == [0, 0, 0]
    assert frame["classroom"].unique().tolist() == [s.class_a.name]
    assert frame["left_behind"].tolist() == ["双亲外出", "父亲外出", "母亲外出"]
    assert frame["study"].isna().all()


def test_scale_options_read_as_number_and_anchor_and_accept_either(session):
    study = {spec.field: spec for spec in observation_specs()}["study"]
    assert study.option_label("3") == "3 基本完成学习任务"
    assert check_value(study, "3 基本完成学习任务") == ("3", None)
    assert check_value(study, 3) == ("3", None)
    assert check_value(study, "6")[1] == "spec.reason.option"


def test_a_saved_observation_shows_in_the_grid_with_the_actor_as_observer(session, s):
    child = s.children_a[0]
    result = save(session, s.head, s, [rate(child)], s.class_a)
    assert (result.created, result.updated) == (1, 0)
    (row,) = stored(session)
    assert (row.study, row.emotion, row.habits, row.self_care) == (3, 2, 4, 5)
    assert row.observer_id == s.head.user_id and row.term_id == s.term.id
    frame = observation_frame(session, s.head, s.term.id, s.class_a.id)
    first = frame.iloc[0]
    assert (first.version, first.study, first.note) == (1, "3", "想妈妈，话少")
    audited = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "growth_observations")
    ).all()
    assert audited == [AuditAction.CREATE]

    save(session, s.principal, s, [rate(child, 1, emotion="4")], s.class_a)
    assert (row.emotion, row.study, row.observer_id) == (4, 3, s.principal.user_id)


def test_a_scale_without_the_other_three_is_refused_and_nothing_is_written(session, s):
    good, half = s.children_a[0], s.children_a[1]
    with pytest.raises(ValidationFailed) as caught:
        save(session, s.head, s, [rate(good), rate(half, study="4")], s.class_a)
    found = {(p.row, p.column): p.message for p in caught.value.problems}
    reason = t("growth_observations.reason.all_scales")
    assert found == {
        (half.name, "情绪"): reason,
        (half.name, "行为习惯"): reason,
        (half.name, "生活自理"): reason,
    }
    assert "1–5" in reason
    assert stored(session) == []


def test_a_long_note_and_a_note_without_scales_are_refused(session, s):
    a0, a1 = s.children_a[0], s.children_a[1]
    with pytest.raises(ValidationFailed) as caught:
        save(
            session,
            s.head,
            s,
            [rate(a0, **FULL | {"note": "很" * 201}), rate(a1, note="好")],
            s.class_a,
        )
    found = {(p.row, p.column, p.reason) for p in caught.value.problems}
    assert (a0.name, "一句话观察", "growth_observations.reason.note_long") in found
    assert (a1.name, "学习", "growth_observations.reason.all_scales") in found
    assert stored(session) == []


def test_clearing_a_row_removes_it_and_rating_again_revives_the_same_row(session, s):
    child = s.children_a[0]
    save(session, s.head, s, [rate(child)], s.class_a)
    cleared = {"study": None, "emotion": None, "habits": None, "self_care": None, "note": None}
    result = save(session, s.head, s, [rate(child, 1, **cleared)], s.class_a)
    assert result.deleted == 1
    frame = observation_frame(session, s.head, s.term.id, s.class_a.id)
    assert frame.iloc[0].version == 0 and frame.iloc[0].study is None
    result = save(session, s.head, s, [rate(child, 0)], s.class_a)
    assert result.created == 1
    (row,) = stored(session)  # one row per child and term: the removed one came back
    assert row.deleted_at is None and row.study == 3


def test_a_stale_version_is_a_conflict(session, s):
    child = s.children_a[0]
    save(session, s.head, s, [rate(child)], s.class_a)
    with pytest.raises(ConflictError):
        save(session, s.principal, s, [rate(child, 0)], s.class_a)  # saw no observation
    with pytest.raises(ConflictError):
        save(session, s.principal, s, [rate(child, 7)], s.class_a)


def test_a_paired_teacher_rates_only_her_paired_children(session, s):
    assert not picks_class(s.teacher) and observation_classrooms(session, s.teacher) == {}
    frame = observation_frame(session, s.teacher, s.term.id, None)
    assert frame["name"].tolist() == ["乙0"]
    save(session, s.teacher, s, [rate(s.children_b[0])])
    with pytest.raises(NotAllowed):
        save(session, s.teacher, s, [rate(s.children_a[0])])
    assert len(stored(session)) == 1


def test_a_paired_teacher_sees_nobody_in_a_term_without_her_pairing(session, s):
    spring = make_term(session, s.school)
    frame = observation_frame(session, s.teacher, spring.id, None)
    assert frame.empty


def test_a_head_teacher_rates_only_her_own_classes(session, s):
    assert picks_class(s.head)
    assert observation_classrooms(session, s.head) == {s.class_a.id: s.class_a.name}
    with pytest.raises(NotAllowed):
        observation_frame(session, s.head, s.term.id, s.class_b.id)
    with pytest.raises(NotAllowed):
        save(session, s.head, s, [rate(s.children_b[0])], s.class_b)
    with pytest.raises(NotAllowed):  # a child of another class, smuggled into her class's save
        save(session, s.head, s, [rate(s.children_b[0])], s.class_a)
    assert stored(session) == []
    assert set(observation_classrooms(session, s.principal)) == {s.class_a.id, s.class_b.id}


def test_counsellor_and_bureau_are_refused(session, s):
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county="青山县"))
    for actor in (s.counsellor, bureau):
        with pytest.raises(NotAllowed):
            observation_classrooms(session, actor)
        with pytest.raises(NotAllowed):
            save(session, actor, s, [rate(s.children_a[0])], s.class_a)
    assert stored(session) == []


def test_another_schools_term_or_class_is_refused(session, s):
    other = make_school(session, "别的小学")
    with pytest.raises(NotAllowed):
        observation_frame(session, s.principal, make_term(session, other).id, s.class_a.id)
    with pytest.raises(NotFound):
        observation_frame(session, s.principal, 99999, s.class_a.id)
    assert session.scalar(select(func.count(GrowthObservation.id))) == 0


def test_the_audit_log_reads_a_change_of_ratings_in_words(session, s):
    child = s.children_a[0]
    save(session, s.head, s, [rate(child)], s.class_a)
    save(session, s.head, s, [rate(child, 1, emotion="4")], s.class_a)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "growth_observations").order_by(AuditEntry.id)
    ).all()[-1]
    text = sentence(entry, names_for(session, [entry]), masked=False)
    assert "成长观察" in text and "情绪" in text and "2→4" in text


def test_a_class_of_sixty_is_rated_in_one_save(session, s):
    kids = [make_child(session, s.school, s.class_b, name=f"丙{i}") for i in range(60)]
    session.flush()
    frame = observation_frame(session, s.principal, s.term.id, s.class_b.id)
    assert len(frame) == 61  # 乙0 and the sixty
    result = save(session, s.principal, s, [rate(kid) for kid in kids], s.class_b)
    assert result.created == 60
    frame = observation_frame(session, s.principal, s.term.id, s.class_b.id)
    assert frame["study"].notna().sum() == 60


def test_two_first_saves_at_once_are_a_conflict_not_a_database_error(session, s, monkeypatch):
    """The head teacher and the principal both open the grid before either rates 甲0; the
    principal's save reaches the database second (it read no observation, then the head
    teacher's insert committed): a ConflictError naming the child, and the head teacher's
    observation stays as it was."""
    from services.growth import observations

    child = s.children_a[0]
    save(session, s.head, s, [rate(child)], s.class_a)
    session.commit()
    monkeypatch.setattr(observations, "_stored", lambda *args: {})  # read before that commit
    with pytest.raises(ConflictError) as raised:
        save(session, s.principal, s, [rate(child, 0, **{**FULL, "study": "1"})], s.class_a)
    assert [c.row for c in raised.value.conflicts] == [child.name]
    assert [(o.study, o.observer_id) for o in stored(session)] == [(3, s.head.user_id)]


def test_a_head_teacher_also_rates_her_paired_children_of_other_classes(session, s):
    """The head teacher OR the paired teacher rates: a head teacher paired with 乙0 (class B,
    left-behind) chooses 我结对的儿童 and rates that child; other children of class B stay
    refused."""
    paired = s.children_b[0]
    other = make_child(session, s.school, s.class_b, LeftBehindType.BOTH, name="乙3")
    make_pairing(session, session.get(User, s.head.user_id), paired, s.term)
    session.flush()
    assert observation_classrooms(session, s.head) == {
        s.class_a.id: s.class_a.name,
        MY_PAIRED: "我结对的儿童",
    }
    frame = observation_frame(session, s.head, s.term.id, MY_PAIRED)
    assert frame["id"].tolist() == [paired.id] and frame["classroom"].tolist() == [s.class_b.name]
    save_observations(session, s.head, GridChanges(updates=[rate(paired)]), s.term.id, MY_PAIRED)
    assert [o.child_id for o in stored(session)] == [paired.id]
    with pytest.raises(NotAllowed):
        save_observations(session, s.head, GridChanges(updates=[rate(other)]), s.term.id, MY_PAIRED)
    assert [o.child_id for o in stored(session)] == [paired.id]
