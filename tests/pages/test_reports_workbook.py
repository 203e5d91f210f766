"""报表导出: the workbook is built on a click (with a progress bar while it writes), then its
download button is enabled; the progress callback sees every row written."""

from __future__ import annotations

from datetime import date

import pytest

from services.reports import exports
from services.reports.workbook import reporting_progress
from tests.pages.apptest import run_page, texts
from tests.services.report_helpers import make_report_school


@pytest.fixture
def report_school(app_env, session):
    return make_report_school(session)


def workbook_button(at):  # type: ignore[no-untyped-def]
    return next(b for b in at.get("download_button") if b.proto.label == "工作台账（Excel）")


def test_the_workbook_is_built_with_progress_then_downloaded(report_school):
    at = run_page("pages/reports.py", report_school.principal)
    assert not at.exception
    assert workbook_button(at).proto.disabled
    at.button(key="reports_workbook_build").click()
    at = at.run()
    assert not at.exception
    assert not workbook_button(at).proto.disabled
    assert "已生成" in texts(at)


def test_progress_reports_every_row_once(report_school, session):
    seen: list[tuple[int, int]] = []
    with reporting_progress(lambda done, total: seen.append((done, total))):
        export = exports.export_workbook(
            session, report_school.principal, exports.year_period(2026), as_of=date(2026, 11, 28)
        )
    assert seen and seen[-1][0] == seen[-1][1] == export.rows
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
