"""AppTest of the roster import's finish (#14 item 5): after the write only the summary stays;
a file that matches the ledger says so and writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from db.enums import Role
from db.models import Child
from tests.pages.apptest import run_page, texts
from tests.pages.import_helpers import assert_a_file_already_imported_changes_nothing, button_keys
from tests.pages.test_import_reports_pages import GOOD, people, roster, upload

__all__ = ["people"]  # the fixture, shared with the import page's other tests
PAGE = "pages/import_roster.py"


def test_after_the_import_only_the_summary_stays(people, session):
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), roster(GOOD))
    assert at.dataframe and "import_run" in button_keys(at)
    at.button(key="import_run").click()
    at = at.run()
    assert not at.exception
    assert "已导入：新增 2 名，更新 0 名；下一步" in texts(at)
    assert "import_run" not in button_keys(at)
    assert not at.dataframe  # the preview is gone
    at = at.run()
    assert "已导入：新增 2 名，更新 0 名" in texts(at) and "import_run" not in button_keys(at)
    session.rollback()
    assert session.scalar(select(func.count(Child.id))) == 2


def test_a_roster_matching_the_ledger_says_so_and_writes_nothing(people, session):
    at = upload(run_page(PAGE, people[Role.PRINCIPAL]), roster(GOOD))
    at.button(key="import_run").click()
    at.run()
    assert_a_file_already_imported_changes_nothing(
        session,
        lambda: upload(run_page(PAGE, people[Role.PRINCIPAL]), roster(GOOD), "花名册-再次.xlsx"),
        "文件中的 2 名学生与台账一致，无需导入",
        "import_run",
    )
