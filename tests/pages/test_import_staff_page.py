"""AppTest of 导入教职工: template, dry run, import, the summary and slips that stay, a second
upload with nothing to change, bad rows, and who may open it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.enums import Role
from db.models import User
from services.accounts.passwords import hash_password
from services.importing import staff_writer
from tests.factories import actor_of, make_classroom, make_school, make_user
from tests.pages.apptest import run_page, texts
from tests.pages.import_helpers import assert_a_file_already_imported_changes_nothing, button_keys
from tests.workbooks import xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "pages/import_staff.py"
STAFF = [
    ["姓名", "手机号码", "角色", "任教班级", "班主任班级"],
    ["李明", "13812340001", "班主任", "三年级2班", "三年级2班"],
    ["王芳", "13812340002", "教师", "三年级2班、四年级1班", None],
    ["赵心怡", None, "心理辅导员", None, None],
]


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(staff_writer, "hash_password", lambda p: hash_password(p, rounds=4))


def staff_sheet(rows: list[list[object]]) -> bytes:
    return xlsx_bytes([["青山小学教职工名单"], *rows])


@pytest.fixture
def people(app_env, session):
    school = make_school(session)
    make_classroom(session, school, grade=3, number=2)
    users = {
        role: make_user(session, school, role, username=role.value)
        for role in (Role.PRINCIPAL, Role.ADMIN, Role.HEAD_TEACHER)
    }
    session.commit()
    return {role: actor_of(session, user) for role, user in users.items()}


def upload(at, data: bytes, name: str = "教职工名单.xlsx"):
    at.file_uploader(key="staff_file").set_value((name, data, XLSX))
    return at.run()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.ADMIN])
def test_page_offers_the_blank_template_and_an_upload(people, role):
    at = run_page(PAGE, people[role])
    assert not at.exception
    assert "导入教职工" in texts(at)
    assert [str(b.proto.label) for b in at.get("download_button")] == ["下载空白名单模板"]
    assert len(at.file_uploader) == 1


def test_preview_import_then_only_the_summary_and_the_slips_stay(people, session):
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), staff_sheet(STAFF))
    assert not at.exception
    shown = texts(at)
    assert "将新建 3 个账号、更新 0 个" in shown
    assert "将新建班级：四年级(1)班" in shown.replace("\\", "")  # file text shown escaped
    preview = at.dataframe[0].value
    assert preview["用户名"].tolist() == ["13812340001", "13812340002", "zhaoxinyi"]
    assert "staff_run" in button_keys(at)
    assert session.scalar(select(func.count(User.id))) == 3

    at.button(key="staff_run").click()
    at = at.run()
    assert not at.exception
    shown = texts(at)
    assert "已导入：新建 3 个账号，更新 0 个；下一步" in shown
    assert "staff_run" not in button_keys(at) and not at.dataframe  # the preview is gone
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert "下载账号条（PDF）" in labels
    session.rollback()  # end the read snapshot taken before the import
    new = session.scalars(select(User).where(User.username == "zhaoxinyi")).one()
    assert new.must_change_password and new.role == Role.COUNSELLOR

    at = at.run()  # any later rerun: still the summary
    assert "已导入：新建 3 个账号" in texts(at) and "staff_run" not in button_keys(at)


def test_a_file_with_nothing_to_change_says_so_and_writes_nothing(people, session):
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), staff_sheet(STAFF))
    at.button(key="staff_run").click()
    at = at.run()
    assert_a_file_already_imported_changes_nothing(
        session,
        lambda: upload(
            run_page(PAGE, people[Role.PRINCIPAL]), staff_sheet(STAFF), "名单-再次.xlsx"
        ),
        "文件中的 3 名教职工与现有账号一致，无需导入",
        "staff_run",
    )


def test_bad_rows_are_listed_and_there_is_no_import_button(people, session):
    rows = [*STAFF, ["钱七", "12345", "门卫", None, None]]
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), staff_sheet(rows))
    assert not at.exception
    assert "有 2 处问题" in texts(at)
    problems = at.dataframe[-1].value
    assert problems["行号"].tolist() == [6, 6]
    assert set(problems["列"]) == {"手机号码", "角色"}
    assert "staff_run" not in button_keys(at)


def test_pinyin_usernames_when_chosen(people):
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), staff_sheet(STAFF))
    at.radio(key="staff_username_from").set_value(at.radio(key="staff_username_from").options[1])
    at = at.run()
    assert not at.exception
    assert at.dataframe[0].value["用户名"].tolist() == ["liming", "wangfang", "zhaoxinyi"]


def test_head_teacher_is_refused(people):
    at = upload(run_page(PAGE, people[Role.HEAD_TEACHER]), staff_sheet(STAFF))
    assert not at.exception
    assert "只有校领导和系统管理员可以批量导入" in texts(at)
