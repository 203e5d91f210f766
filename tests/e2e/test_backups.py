"""The administrator takes a backup on 备份与恢复 in a real browser while the app runs."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def test_admin_backs_up_now_and_sees_it_listed(live_server, page):
    login(page, live_server.url, "admin")
    nav = page.get_by_test_id("stSidebarNav")
    more = nav.get_by_test_id("stSidebarNavViewButton")  # the menu folds after 10 entries
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    nav.get_by_role("link", name="备份与恢复").click()
    wait_idle(page)
    page.get_by_role("button", name="立即备份").wait_for()
    # Count what is there first: a retried attempt finds the backup of the first one
    # (the empty state itself is checked in tests/ops/test_backups_page.py).
    listed = page.get_by_text(re.compile(r"已有备份（\d+ 份）"))
    before = int(re.search(r"\d+", listed.inner_text()).group()) if listed.count() else 0
    page.get_by_role("button", name="立即备份").click()
    wait_idle(page)
    page.get_by_text("备份完成：careledger-").wait_for(timeout=60_000)
    page.get_by_text(f"已有备份（{before + 1} 份）").wait_for()
    page.get_by_role("button", name="下载这份备份").wait_for()  # single-school demo database
    assert (
        "services.ops.backup_cli restore careledger-" in page.locator("code").all_inner_texts()[-1]
    )
    screenshot(page, "backups_taken")
