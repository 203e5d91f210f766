"""AppTest of 成绩录入: the term and class pickers, the class's grid with its subjects and mean
percentile, the percentile caption, and the import tab (template, upload, dry run, import)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import write_session
from db.growth_models import TermResult
from services.growth.results import save_class_results
from services.records.grid_rows import GridChanges, RowUpdate
from tests.pages.apptest import run_page, texts
from tests.pages.import_helpers import button_keys
from tests.services.care_helpers import make_care_school_now
from tests.workbooks import xlsx_bytes

PAGE = "pages/growth_results.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def care(app_env):
    """The care school with a term around today and two results of class A."""
    with write_session(app_env) as session:
        s, term = make_care_school_now(session)
        s.term_id = term.id
        a0, a1 = s.children_a[:2]
        updates = [
            RowUpdate(a0.id, 0, a0.name, {"subject_语文": 92}),
            RowUpdate(a1.id, 0, a1.name, {"subject_语文": "良"}),
        ]
        save_class_results(session, s.principal, GridChanges(updates=updates), s.class_a.id,
                           term.id)  # fmt: skip
    return s


@pytest.mark.parametrize("role", ["principal", "admin", "head"])
def test_the_class_grid_shows_subjects_results_and_percentiles(care, role):
    at = run_page(PAGE, getattr(care, role))
    assert not at.exception
    grid = at.dataframe[0].value
    assert grid["name"].tolist() == ["甲0", "甲1", "甲2", "甲3"]
    assert grid["subject_语文"].tolist()[:2] == ["92", "良"]
    assert {"subject_数学", "subject_英语", "percentile"} <= set(grid.columns)
    assert grid["percentile"].tolist()[:2] == [75.0, 25.0]
    shown = texts(at)
    assert "百分位：该生在本班同一科目本学期成绩中的位置" in shown
    assert [tab.label for tab in at.tabs] == ["成绩表", "导入成绩表"]


def test_head_teacher_picks_only_her_class_principal_every_class(care):
    at = run_page(PAGE, care.head)
    assert at.selectbox(key="growth_results.classroom").options == [care.class_a.name]
    at = run_page(PAGE, care.principal)
    options = at.selectbox(key="growth_results.classroom").options
    assert options == [care.class_a.name, care.class_b.name]


def upload(at, data: bytes, name: str = "成绩表.xlsx"):
    at.file_uploader(key="results_file").set_value((name, data, XLSX))
    return at.run()


def test_import_tab_previews_then_imports_the_sheet_and_the_grid_shows_it(care, session):
    a2, a3 = care.children_a[2:]
    at = run_page(PAGE, care.head)
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert "下载本班成绩表模板" in labels
    sheet = xlsx_bytes(
        [["三年级(1)班 期末成绩"], ["学籍号", "姓名", "语文", "数学", "总分"],
         [a2.student_no, a2.name, 85, "优秀", None], [None, a3.name, "及格", 70, None]]
    )  # fmt: skip
    at = upload(at, sheet)
    assert not at.exception
    assert "将为 2 名学生新增成绩、0 名学生更新成绩，0 名无变化。科目：语文、数学" in texts(at)
    assert "results_run" in button_keys(at)
    at.button(key="results_run").click()
    at = at.run()
    assert not at.exception
    assert "已导入成绩：2 名学生新增，0 名学生更新" in texts(at)
    grid = at.dataframe[0].value
    assert grid["subject_语文"].tolist() == ["92", "良", "85", "中"]
    session.rollback()
    assert len(session.scalars(select(TermResult)).all()) == 6


def test_bad_rows_are_listed_and_there_is_no_import_button(care):
    a2 = care.children_a[2]
    sheet = xlsx_bytes([["学籍号", "姓名", "语文"], [a2.student_no, a2.name, 180]])
    at = upload(run_page(PAGE, care.principal), sheet)
    assert not at.exception
    assert "有 1 处问题" in texts(at)
    problems = at.dataframe[-1].value
    assert problems["列"].tolist() == ["语文"]
    assert problems["原因"].tolist() == ["分数应在 0 到 150 之间。"]
    assert "results_run" not in button_keys(at)
