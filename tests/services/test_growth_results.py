"""成绩录入's grid (services/growth/results.py): the class's rows, a save that writes, revives and
deletes results and ranks the class again, refusals that write nothing, and who may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.enums import AuditAction, LetterGrade
from db.growth_models import TermResult
from db.models import AuditEntry, Term
from locales import t
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.growth.results import (
    class_results_frame,
    result_specs,
    results_classrooms,
    save_class_results,
)
from services.growth.results_values import Result, parse_result
from services.records.grid_rows import GridChanges, RowDelete, RowUpdate
from tests.factories import make_result
from tests.services.care_helpers import make_care_school

CHINESE, MATHS = "subject_语文", "subject_数学"


@pytest.fixture
def s(session):  # type: ignore[no-untyped-def]
    care = make_care_school(session)
    care.term = session.scalars(select(Term).where(Term.school_id == care.school.id)).one()
    return care


def save(session, actor, s, updates, classroom=None):  # type: ignore[no-untyped-def]
    room = classroom or s.class_a
    return save_class_results(session, actor, GridChanges(updates=updates), room.id, s.term.id)


def frame(session, actor, s, classroom=None):  # type: ignore[no-untyped-def]
    return class_results_frame(session, actor, (classroom or s.class_a).id, s.term.id)


def row(frame_, child):  # type: ignore[no-untyped-def]
    return frame_[frame_["id"] == child.id].iloc[0]


def live_results(session):  # type: ignore[no-untyped-def]
    return {
        (r.child_id, r.subject): (r.score, r.grade, r.percentile)
        for r in session.scalars(select(TermResult).where(TermResult.deleted_at.is_(None)))
    }


def test_cells_read_scores_grades_and_the_words_schools_use():
    assert parse_result("95.5") == Result(score=95.5) == parse_result("95.5分")
    assert parse_result(120) == Result(score=120.0)
    assert parse_result("优秀") == Result(grade=LetterGrade.EXCELLENT)
    assert parse_result("及格") == Result(grade=LetterGrade.FAIR)
    assert parse_result("不及格") == Result(grade=LetterGrade.POOR)
    assert parse_result(" 良 ") == Result(grade=LetterGrade.GOOD)
    assert parse_result("缺考") is None and parse_result("") is None


def test_the_grid_has_a_row_per_enrolled_child_and_a_column_per_subject(session, s):
    make_result(session, s.children_a[0], s.term, "科学", 88)
    shown = frame(session, s.head, s)
    assert {c.id for c in s.children_a} == set(shown["id"])
    assert [c for c in shown.columns if c.startswith("subject_")] == [
        CHINESE, MATHS, "subject_英语", "subject_科学"
    ]  # fmt: skip
    first = row(shown, s.children_a[0])
    assert first["subject_科学"] == "88" and first["version"] == 1
    assert first["left_behind"] == "双亲外出" and first["student_no"] == s.children_a[0].student_no
    headers = [spec.label for spec in result_specs(["语文", "科学"])]
    assert headers == ["姓名", "学籍号", "留守类型", "语文", "科学", "平均百分位"]


def test_save_writes_results_ranks_the_class_and_audits_each(session, s):
    a0, a1, a2, _ = s.children_a
    result = save(
        session, s.head, s,
        [RowUpdate(a0.id, 0, a0.name, {CHINESE: "90", MATHS: "优"}),
         RowUpdate(a1.id, 0, a1.name, {CHINESE: 70}),
         RowUpdate(a2.id, 0, a2.name, {CHINESE: "80.5"})],
    )  # fmt: skip
    session.flush()
    assert result.updated == 3
    stored = live_results(session)
    assert stored[(a0.id, "语文")] == (90.0, None, 83.3)
    assert stored[(a1.id, "语文")] == (70.0, None, 16.7)
    assert stored[(a0.id, "数学")] == (None, LetterGrade.EXCELLENT, 50.0)
    creates = session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.entity == "term_results", AuditEntry.action == AuditAction.CREATE
        )
    )
    assert creates == 4
    shown = row(frame(session, s.head, s), a0)
    assert shown[MATHS] == "优" and shown[CHINESE] == "90"
    assert shown["percentile"] == pytest.approx((83.3 + 50.0) / 2, abs=0.1)


def test_a_cleared_cell_deletes_and_ranks_again_and_a_new_value_revives_the_row(session, s):
    a0, a1, a2, _ = s.children_a
    first = [RowUpdate(c.id, 0, c.name, {CHINESE: v}) for c, v in ((a0, 60), (a1, 80), (a2, 100))]
    save(session, s.principal, s, first)
    version = row(frame(session, s.principal, s), a2)["version"]
    save(session, s.principal, s, [RowUpdate(a2.id, int(version), a2.name, {CHINESE: None})])
    session.flush()
    stored = live_results(session)
    assert (a2.id, "语文") not in stored
    assert stored[(a0.id, "语文")][2] == 25.0 and stored[(a1.id, "语文")][2] == 75.0
    deleted = session.scalars(select(TermResult).where(TermResult.child_id == a2.id)).one()
    assert deleted.deleted_at is not None

    version = row(frame(session, s.principal, s), a2)["version"]
    assert version == deleted.version  # a deleted row still counts: the version only rises
    save(session, s.principal, s, [RowUpdate(a2.id, int(version), a2.name, {CHINESE: "良"})])
    session.flush()
    revived = session.scalars(select(TermResult).where(TermResult.child_id == a2.id)).all()
    assert len(revived) == 1 and revived[0].deleted_at is None
    assert revived[0].grade == LetterGrade.GOOD and revived[0].score is None


def test_bad_cells_are_refused_with_row_column_and_reason_and_nothing_is_written(session, s):
    a0, a1, a2, _ = s.children_a
    before = session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(ValidationFailed) as caught:
        save(session, s.head, s,
             [RowUpdate(a0.id, 0, a0.name, {CHINESE: "90"}),
              RowUpdate(a1.id, 0, a1.name, {CHINESE: "151"}),
              RowUpdate(a2.id, 0, a2.name, {MATHS: "甲"})])  # fmt: skip
    found = {(p.row, p.column, p.value): p.message for p in caught.value.problems}
    assert found == {
        (a1.name, "语文", "151"): t("growth_results.reason.score_range"),
        (a2.name, "数学", "甲"): t("growth_results.reason.not_result"),
    }
    assert live_results(session) == {}
    assert session.scalar(select(func.count(AuditEntry.id))) == before


def test_a_row_saved_meanwhile_is_a_conflict_and_nothing_is_written(session, s):
    a0, a1, *_ = s.children_a
    save(session, s.head, s, [RowUpdate(a0.id, 0, a0.name, {CHINESE: 90})])
    with pytest.raises(ConflictError) as caught:
        save(session, s.head, s,
             [RowUpdate(a1.id, 0, a1.name, {CHINESE: 50}),
              RowUpdate(a0.id, 0, a0.name, {MATHS: 70})])  # fmt: skip
    assert [c.row for c in caught.value.conflicts] == [a0.name]
    assert set(live_results(session)) == {(a0.id, "语文")}


def test_head_teacher_only_her_class_principal_the_school(session, s):
    assert set(results_classrooms(session, s.head)) == {s.class_a.id}
    assert set(results_classrooms(session, s.principal)) == {s.class_a.id, s.class_b.id}
    b0 = s.children_b[0]
    with pytest.raises(NotAllowed):
        save(session, s.head, s, [RowUpdate(b0.id, 0, b0.name, {CHINESE: 90})], s.class_b)
    with pytest.raises(NotAllowed):  # a child of another class smuggled into her grid
        save(session, s.head, s, [RowUpdate(b0.id, 0, b0.name, {CHINESE: 90})])
    for other in (s.teacher, s.counsellor):
        with pytest.raises(NotAllowed):
            results_classrooms(session, other)
    with pytest.raises(NotAllowed):
        changes = GridChanges(deletes=[RowDelete(s.children_a[0].id, 0, "x")])
        save_class_results(session, s.principal, changes, s.class_a.id, s.term.id)
    assert live_results(session) == {}
    save(session, s.principal, s, [RowUpdate(b0.id, 0, b0.name, {CHINESE: 90})], s.class_b)
    assert set(live_results(session)) == {(b0.id, "语文")}
