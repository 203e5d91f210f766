"""The import pages' uploader speaks the page's language (#16 item 3): Streamlit's own "Upload"
and "20MB per file • XLSX…" are hidden and our button and hint (CSS `content`, see
components/roster_import.upload_box) say what the page says: .xlsx / .csv, at most 10 MB."""

from __future__ import annotations

import pytest

from components.roster_import import UPLOAD_MB
from tests.e2e.conftest import login, wait_idle

SHOWN = """(selector) => {
    const el = document.querySelector(selector);
    const after = getComputedStyle(el, '::after');
    return {size: getComputedStyle(el).fontSize, after: after.content, afterSize: after.fontSize};
}"""
BUTTON = "[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p"
HINT = "[data-testid=stFileUploaderDropzoneInstructions] span"


@pytest.mark.parametrize("path", ["/import_roster", "/import_staff"])
def test_uploader_shows_our_chinese_button_and_hint(live_server, page, path):
    login(page, live_server.url, "admin")
    page.goto(live_server.url + path)
    wait_idle(page)
    page.wait_for_selector(HINT)
    button, hint = page.evaluate(SHOWN, BUTTON), page.evaluate(SHOWN, HINT)
    assert button["size"] == hint["size"] == "0px"  # Streamlit's English, invisible
    assert button["after"] == '"选择文件"' and button["afterSize"] != "0px"
    assert "拖放文件到此处" in hint["after"] and f"不超过 {UPLOAD_MB} MB" in hint["after"]
    assert ".xlsx / .csv" in hint["after"]
    assert f"文件不超过 {UPLOAD_MB} MB" in page.inner_text("[data-testid=stMain]")
