"""AppTest of 批量导入 and 报表导出 for every role that can open them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.enums import Role
from db.models import Child
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.pages.apptest import run_page, texts
from tests.services.report_helpers import make_report_school
from tests.workbooks import xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster(rows: list[list[object]]) -> bytes:
    header = ["学籍号", "姓名", "性别", "出生日期", "班级", "留守类型", "监护人"]
    return xlsx_bytes([["青山小学留守儿童花名册"], header, *rows])


GOOD = [
    ["G200001", "李明", "男", "2016-03-01", "三年级2班", "双亲外出", "李奶奶"],
    ["G200002", "王芳", "女", "2016.05", "3.2", "父亲外出", "王爷爷"],
]


@pytest.fixture
def people(app_env, session):
    school = make_school(session)
    make_classroom(session, school, grade=3, number=2)
    users = {
        role: make_user(session, school, role)
        for role in (Role.PRINCIPAL, Role.ADMIN, Role.HEAD_TEACHER)
    }
    users[Role.BUREAU] = make_user(session, None, Role.BUREAU, county=school.county)
    session.commit()
    return {role: actor_of(session, user) for role, user in users.items()}


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.ADMIN])
def test_import_page_offers_the_template_and_an_upload(people, role):
    at = run_page("pages/import_roster.py", people[role])
    assert not at.exception
    assert "批量导入儿童档案" in texts(at)
    assert len(at.get("download_button")) == 1
    assert len(at.file_uploader) == 1


def upload(at, data: bytes, name: str = "花名册.xlsx"):
    at.file_uploader(key="import_file").set_value((name, data, XLSX))
    return at.run()


def test_principal_previews_then_imports(people, session):
    at = run_page("pages/import_roster.py", people[Role.PRINCIPAL])
    at = upload(at, roster(GOOD))
    assert not at.exception
    shown = texts(at)
    assert "表头在第 2 行，共 2 行数据" in shown
    assert "将新增 2 名、更新 0 名" in shown
    assert session.scalar(select(func.count(Child.id))) == 0
    at.button(key="import_run").click()
    at = at.run()
    assert not at.exception
    assert "已导入：新增 2 名，更新 0 名" in texts(at)
    session.rollback()  # end the read snapshot taken before the import
    assert session.scalar(select(func.count(Child.id))) == 2


def test_bad_rows_are_listed_and_no_import_button(people, session):
    rows = [*GOOD, ["G200003", "赵六", "X", "2016-01-01", "3.2", "外星", "赵奶奶"]]
    at = upload(run_page("pages/import_roster.py", people[Role.PRINCIPAL]), roster(rows))
    assert not at.exception
    assert "有 2 处问题" in texts(at)
    problems = at.dataframe[-1].value
    assert problems["行号"].tolist() == [5, 5]
    assert set(problems["列"]) == {"性别", "留守类型"}
    assert not [b for b in at.button if b.key == "import_run"]
    assert session.scalar(select(func.count(Child.id))) == 0


def test_macro_file_is_refused_with_a_message(people):
    at = upload(run_page("pages/import_roster.py", people[Role.PRINCIPAL]), b"PK..", "宏.xlsm")
    assert not at.exception
    assert "宏" in "".join(str(v) for v in at.dataframe[0].value["原因"])


def test_head_teacher_is_refused(people):
    at = upload(run_page("pages/import_roster.py", people[Role.HEAD_TEACHER]), roster(GOOD))
    assert not at.exception
    assert "只有校领导和系统管理员可以批量导入" in texts(at)


@pytest.fixture
def report_school(app_env, session):
    return make_report_school(session)


def download_labels(at) -> list[str]:
    return [str(b.proto.label) for b in at.get("download_button")]


@pytest.mark.parametrize("role", ["principal", "admin"])
def test_reports_page_offers_each_report_in_one_click(report_school, role):
    at = run_page("pages/reports.py", getattr(report_school, role))
    assert not at.exception
    assert download_labels(at) == [
        "教育局工作报告（Word）",
        "教育局工作报告（PDF）",
        "工作台账（Excel）",
    ]
    assert "请先选择一个班级再打印联系卡" in texts(at)
    assert "完整个人信息" in texts(at)
    at.selectbox(key="reports_classroom").set_value(report_school.class_a_id)
    at = at.run()
    assert download_labels(at)[-1] == "联系卡（PDF，按班）"


def test_demo_mode_switches_to_masked_exports(report_school):
    at = run_page("pages/reports.py", report_school.principal)
    assert "当前导出为脱敏版本" not in texts(at)
    at = run_page("pages/reports.py", report_school.principal, demo_mode=True)  # sidebar switch
    assert not at.exception
    assert "当前导出为脱敏版本" in texts(at)


def test_bureau_sees_masked_reports_without_contact_cards(report_school):
    at = run_page("pages/reports.py", report_school.bureau)
    assert not at.exception
    assert "当前导出为脱敏版本" in texts(at)
    assert len(download_labels(at)) == 3
    assert not at.toggle


def test_the_bureaus_disabled_class_box_says_the_whole_county(report_school):
    """A county user has no classes to pick: the box shows 全县, not 全校."""
    box = run_page("pages/reports.py", report_school.bureau).selectbox(key="reports_classroom")
    assert box.disabled and box.options == ["全县"]
    box = run_page("pages/reports.py", report_school.principal).selectbox(key="reports_classroom")
    assert box.options[0] == "全校"


def test_reports_page_periods(report_school):
    at = run_page("pages/reports.py", report_school.principal)
    at.radio(key="reports_kind").set_value("term")
    at = at.run()
    assert not at.exception
    assert at.selectbox(key="reports_term").value == 0
    at.radio(key="reports_kind").set_value("year")
    assert not at.run().exception
