"""Driving a data editor (st.data_editor, drawn on a canvas) in the browser tests."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import wait_idle

ROW_H = 35  # the rows and the header, in px
WAIT_MS = 30_000  # the machine may be busy: reruns can take seconds


def type_into_cell(
    page: Page, x_of: Callable[[float], float], value: str, expected_old: str | None = None
) -> None:
    """Type `value` into the first row's cell `x_of(grid width)` px from the grid's left edge
    (checking it held `expected_old` when given), until the 保存 button is enabled. The click is
    retried: a busy machine may still be laying the grid out."""
    overlay = page.get_by_test_id("portal").locator(".gdg-input")
    for _ in range(5):
        box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
        page.mouse.click(box["x"] + x_of(box["width"]), box["y"] + ROW_H + ROW_H // 2)
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        try:
            overlay.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    if expected_old is not None:
        assert overlay.input_value() == expected_old  # we are in the right cell
    overlay.fill(value)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_role("button", name="保存")).to_be_enabled(timeout=WAIT_MS)


def press_save_and_see(page: Page, text: str) -> None:
    """Press the grid's 保存 and wait for the message containing `text`."""
    page.get_by_role("button", name="保存").click()
    wait_idle(page)
    expect(page.get_by_text(text)).to_be_visible(timeout=WAIT_MS)


def wait_for_cell(page: Page, text: str) -> None:
    """Wait for a cell holding `text` (the canvas's accessible cells tell when it is drawn)."""
    page.locator("[id^=glide-cell]", has_text=text).first.wait_for(state="attached")


def see_after_reload(page: Page, reopen: Callable[[], None], text: str) -> None:
    """Reload, reopen the grid and wait for a cell holding `text`: it was stored, not only shown."""
    page.reload()
    page.wait_for_selector("[data-testid=stSidebar]")
    wait_idle(page)
    reopen()
    wait_for_cell(page, text)
