"""The principal downloads the bureau report from the Reports page in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from db.engine import make_engine, read_session
from db.enums import AuditAction
from db.models import AuditEntry
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def open_reports(page, base_url: str, username: str) -> None:
    login(page, base_url, username)
    more = page.get_by_text(re.compile(r"^View \d+ more$"))  # the menu folds after ten pages
    if more.count():
        more.click()
    page.get_by_role("link", name="报表导出").click()
    wait_idle(page)


def test_principal_downloads_the_bureau_report(live_server, page):
    open_reports(page, live_server.url, "principal")
    page.get_by_text("教育局工作报告（Word）").wait_for()
    screenshot(page, "reports_page")
    # The file is built on the click (charts rendered by kaleido): allow it time.
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="教育局工作报告（Word）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    assert "留守儿童关爱工作报告" in download.suggested_filename
    with open(download.path(), "rb") as handle:
        doc = Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "留守儿童关爱工作报告" in doc.paragraphs[0].text
    assert "一、基本情况" in text and "十、下一步工作" in text
    assert len(doc.inline_shapes) == 5  # the dashboard's charts

    engine = make_engine(live_server.database_url)
    with read_session(engine) as session:
        entry = session.execute(
            select(AuditEntry.entity, AuditEntry.username, AuditEntry.after)
            .where(AuditEntry.action == AuditAction.EXPORT)
            .order_by(AuditEntry.id.desc())
        ).first()
    engine.dispose()
    assert entry.entity == "report:bureau"
    assert entry.username == "principal"
    assert entry.after["file"] == download.suggested_filename


def test_bureau_downloads_the_masked_pdf(live_server, page):
    open_reports(page, live_server.url, "bureau")
    page.get_by_text("当前导出为脱敏版本").wait_for()
    assert page.get_by_role("button", name="联系卡（PDF，按班）").count() == 0
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="教育局工作报告（PDF）").click()
    download = info.value
    assert download.suggested_filename.endswith("_脱敏.pdf")
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "本报告已脱敏" in text
    assert "一、基本情况" in text
