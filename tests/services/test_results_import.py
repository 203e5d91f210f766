"""导入成绩表 (services/importing/results.py): a school's sheet with a title row, totals and a
summary row, matched by 学籍号 or name within the picked class; the dry run's error list, the
all-or-nothing write, a re-import that updates, the template read back, and who may import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.enums import AuditAction, LetterGrade
from db.growth_models import TermResult
from db.models import AuditEntry, Term
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.growth.results import save_class_results
from services.importing.results import ResultsImport, apply_results_import, plan_results_import
from services.importing.results_preview import results_plan_frame
from services.importing.results_sheet import read_results_sheet, suggest_results_mapping
from services.importing.results_template import results_template
from services.records.grid_rows import GridChanges, RowUpdate
from tests.factories import make_child
from tests.services.care_helpers import make_care_school
from tests.workbooks import xlsx_bytes


@pytest.fixture
def s(session):  # type: ignore[no-untyped-def]
    care = make_care_school(session)
    care.term = session.scalars(select(Term).where(Term.school_id == care.school.id)).one()
    return care


def sheet_of(s, rows: list[list[object]]):  # type: ignore[no-untyped-def]
    """The class's sheet as schools keep it: a title row, then the header and rows."""
    data = xlsx_bytes([["三年级(1)班 2026年秋季学期期末成绩"], *rows])
    return read_results_sheet(data, "成绩表.xlsx")


def good_rows(s) -> list[list[object]]:  # type: ignore[no-untyped-def]
    a0, a1, a2, a3 = s.children_a
    return [
        ["序号", "学籍号", "姓名", "语文", "数学（满分120）", "总分", "名次"],
        [1, a0.student_no, a0.name, 95, "优秀", None, 1],
        [2, None, a1.name, "88.5", "及格", None, 2],
        [3, a2.student_no, None, "不及格", None, None, 3],
        [4, a3.student_no, a3.name, None, None, None, None],
        [None, None, "平均分", 80, None, None, None],
    ]


def plan(session, actor, s, sheet, room=None):  # type: ignore[no-untyped-def]
    mapping = suggest_results_mapping(sheet.headers)
    room_id = (room or s.class_a).id
    request = ResultsImport(actor, sheet, mapping, room_id, s.term.id)
    return plan_results_import(session, request), mapping


def apply(session, actor, s, sheet, signature=None):  # type: ignore[no-untyped-def]
    mapping = suggest_results_mapping(sheet.headers)
    request = ResultsImport(actor, sheet, mapping, s.class_a.id, s.term.id)
    return apply_results_import(session, request, signature)


def stored(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.scalars(select(TermResult).where(TermResult.deleted_at.is_(None)))
    return {(r.child_id, r.subject): (r.score, r.grade) for r in rows}


def test_headers_subjects_are_every_other_column_totals_and_ranks_are_skipped():
    mapping = suggest_results_mapping(["序号", "学籍号", "姓名", "语文", "科学", "总分", "名次"])
    assert mapping == {
        "序号": "seq", "学籍号": "student_no", "姓名": "name", "语文": "subject",
        "科学": "subject", "总分": None, "名次": None,
    }  # fmt: skip


def test_dry_run_matches_by_number_or_name_and_lists_each_childs_changes(session, s):
    a0, a1, a2, a3 = s.children_a
    sheet = sheet_of(s, good_rows(s))
    assert sheet.header_row == 2  # the title row is skipped
    dry, _ = plan(session, s.head, s, sheet)
    assert dry.problems == []
    assert dry.subjects == ["语文", "数学"]
    assert [(r.row, r.child_id, r.action) for r in dry.rows] == [
        (3, a0.id, "insert"), (4, a1.id, "insert"), (5, a2.id, "insert"), (6, a3.id, "unchanged")
    ]  # fmt: skip
    preview = results_plan_frame(dry)
    assert preview["成绩变化"].iloc[0] == "语文 95（新）；数学 优（新）"
    assert stored(session) == {}  # a dry run writes nothing


def test_import_writes_every_result_ranks_and_audits_once_plus_each_row(session, s):
    a0, a1, a2, _ = s.children_a
    sheet = sheet_of(s, good_rows(s))
    dry, _ = plan(session, s.head, s, sheet)
    result = apply(session, s.head, s, sheet, dry.signature())
    session.flush()
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 1)
    assert stored(session) == {
        (a0.id, "语文"): (95.0, None),
        (a0.id, "数学"): (None, LetterGrade.EXCELLENT),
        (a1.id, "语文"): (88.5, None),
        (a1.id, "数学"): (None, LetterGrade.FAIR),
        (a2.id, "语文"): (None, LetterGrade.POOR),
    }
    ranked = session.scalars(select(TermResult).where(TermResult.subject == "语文"))
    assert {r.child_id: r.percentile for r in ranked} == {a0.id: 83.3, a1.id: 50.0, a2.id: 16.7}
    audits = session.execute(
        select(AuditEntry.action, func.count()).where(AuditEntry.entity == "term_results")
        .group_by(AuditEntry.action)
    ).all()  # fmt: skip
    assert dict(audits) == {AuditAction.IMPORT: 1, AuditAction.CREATE: 5}


def test_reimport_updates_changed_results_only(session, s):
    a0, a1, *_ = s.children_a
    apply(session, s.principal, s, sheet_of(s, good_rows(s)))
    rows = good_rows(s)
    rows[1][3] = 97  # 语文 of a0 corrected
    again = sheet_of(s, rows)
    dry, _ = plan(session, s.principal, s, again)
    assert [r.action for r in dry.rows] == ["update", "unchanged", "unchanged", "unchanged"]
    assert results_plan_frame(dry)["成绩变化"].iloc[0] == "语文 95 → 97"
    result = apply(session, s.principal, s, again, dry.signature())
    assert (result.inserted, result.updated) == (0, 1)
    assert stored(session)[(a0.id, "语文")] == (97.0, None)
    assert stored(session)[(a1.id, "语文")] == (88.5, None)
    nothing = apply(session, s.principal, s, again)
    assert (nothing.inserted, nothing.updated, nothing.unchanged) == (0, 0, 4)


def test_results_changed_since_the_preview_stop_the_import(session, s):
    a0 = s.children_a[0]
    sheet = sheet_of(s, good_rows(s))
    dry, _ = plan(session, s.head, s, sheet)
    meanwhile = GridChanges(updates=[RowUpdate(a0.id, 0, a0.name, {"subject_语文": 60})])
    save_class_results(session, s.principal, meanwhile, s.class_a.id, s.term.id)
    with pytest.raises(ConflictError):
        apply(session, s.head, s, sheet, dry.signature())
    assert stored(session) == {(a0.id, "语文"): (60.0, None)}


def test_bad_rows_are_listed_by_row_column_and_reason_and_nothing_is_written(session, s):
    a0, a1, *_ = s.children_a
    b0 = s.children_b[0]
    make_child(session, s.school, s.class_a, name=a1.name)  # a namesake in the class
    rows = [
        ["学籍号", "姓名", "班级", "语文", "数学"],
        [a0.student_no, a0.name, "三年级1班", 95, 80],  # a good row: still not written
        [None, a1.name, None, 90, 80],  # namesakes: the 学籍号 is needed
        [b0.student_no, b0.name, None, 90, 80],  # a child of another class
        [a0.student_no, "别人", None, 90, 80],  # the name does not fit the number
        [None, "不存在", None, 90, 80],
        [s.children_a[2].student_no, None, "四年级1班", 90, 80],
        [s.children_a[3].student_no, None, None, 151, "甲"],
    ]
    dry, _ = plan(session, s.principal, s, sheet_of(s, rows))
    found = [(p.row, p.column, p.reason.rsplit(".", 1)[-1]) for p in dry.problems]
    assert found == [
        ("4", "姓名", "namesakes"),
        ("5", "学籍号", "unknown_no"),
        ("6", "姓名", "name_differs"),
        ("7", "姓名", "unknown_name"),
        ("8", "班级", "other_class"),
        ("9", "语文", "score_range"),
        ("9", "数学", "not_result"),
    ]
    with pytest.raises(ValidationFailed):
        apply(session, s.principal, s, sheet_of(s, rows))
    assert stored(session) == {}
    assert session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.entity == "term_results")) == 0  # fmt: skip


def test_a_sheet_without_names_or_subjects_is_refused_up_front(session, s):
    dry, _ = plan(session, s.principal, s, sheet_of(s, [["姓名", "总分"], ["甲0", 300]]))
    assert [p.reason for p in dry.problems] == ["growth_results.reason.no_subjects"]
    same = sheet_of(s, [["姓名", "语文", "语文（期末）"], ["甲0", 90, 91]])
    dry, _ = plan(session, s.principal, s, same)
    assert [p.reason for p in dry.problems] == ["growth_results.reason.same_subject"]


def test_the_same_child_twice_is_refused(session, s):
    a0 = s.children_a[0]
    rows = [["学籍号", "姓名", "语文"], [a0.student_no, None, 90], [None, a0.name, 91]]
    dry, _ = plan(session, s.principal, s, sheet_of(s, rows))
    assert [(p.row, p.reason, dict(p.params)) for p in dry.problems] == [
        ("4", "growth_results.reason.same_child", {"row": 3})
    ]


def test_head_teacher_imports_only_her_class(session, s):
    sheet = sheet_of(s, good_rows(s))
    with pytest.raises(NotAllowed):
        plan(session, s.head, s, sheet, s.class_b)
    with pytest.raises(NotAllowed):
        plan(session, s.teacher, s, sheet)


def test_the_template_lists_the_class_with_its_results_and_imports_back(session, s):
    apply(session, s.principal, s, sheet_of(s, good_rows(s)))
    data = results_template(session, s.head, s.class_a.id, s.term.id)
    cells = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert cells[1] == ("学籍号", "姓名", "语文", "数学", "英语")
    by_no = {row[0]: row for row in cells[2:]}
    assert by_no[s.children_a[0].student_no][2:4] == (95, "优")
    sheet = read_results_sheet(data, "成绩表.xlsx")
    dry, _ = plan(session, s.head, s, sheet)
    assert dry.problems == [] and not dry.changed
