"""The rows of 报表导出: one button per report, built when clicked, in its own audited transaction.

The workbook is the exception: a year of a big school has hundreds of thousands of rows, so it is
built on a click with a progress bar and then downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from components import download
from db.engine import read_session, write_session
from locales import current_language, set_language, t
from services.actor import Actor
from services.reports import exports
from services.reports.data import ReportFilters, ReportPeriod
from services.reports.workbook import reporting_progress

TEXTS = {  # report → (button label, help) locale keys
    "bureau_docx": ("reports.bureau_docx", "reports.help.bureau"),
    "bureau_pdf": ("reports.bureau_pdf", "reports.help.bureau_pdf"),
    "workbook": ("reports.workbook", "reports.help.workbook"),
    "cards": ("reports.cards", "reports.help.cards"),
}
WORKBOOK_FILE = "reports_workbook_file"  # (choice, bytes, rows) of the workbook built last


@dataclass(frozen=True)
class ReportChoice:
    """What the page chose: who, which period, which scope, masked or not."""

    engine: Engine
    actor: Actor
    period: ReportPeriod
    filters: ReportFilters
    demo_mode: bool

    def file_name(self, report: str) -> str:
        with read_session(self.engine) as session:
            return exports.export_file_name(
                session, self.actor, report, self.period, self.filters, self.demo_mode
            )


def built(
    choice: ReportChoice, export: Callable[..., exports.ExportFile], **options: object
) -> Callable[[], bytes]:
    """Build the file when the button is clicked, in its own audited transaction."""
    language = current_language()  # the click runs outside this script run: carry the language

    def build() -> bytes:
        set_language(language)
        with write_session(choice.engine) as session:
            return export(
                session, choice.actor, choice.period, demo_mode=choice.demo_mode, **options
            ).data

    return build


def row(choice: ReportChoice, report: str, data: Callable[[], bytes]) -> None:
    label, help_key = TEXTS[report]
    left, right = st.columns([1, 2])
    with left:
        primary = report == "bureau_docx"
        download.show(
            t(label), data, choice.file_name(report), key=f"reports_{report}", primary=primary
        )
    right.caption(t(help_key))


def workbook_row(choice: ReportChoice) -> None:
    """生成工作台账 with a progress bar, then the download button of what was built."""
    chosen = (choice.period, choice.filters, choice.demo_mode, current_language())
    left, right = st.columns([1, 2])
    right.caption(t("reports.help.workbook") + " " + t("summary.workbook_help"))
    if right.button(t("summary.workbook_build"), key="reports_workbook_build"):
        bar = right.progress(0.0, text=t("summary.workbook_querying"))

        def progress(done: int, total: int) -> None:
            text = t("summary.workbook_progress", done=done, total=total)
            bar.progress(done / total if total else 1.0, text=text)

        with reporting_progress(progress), write_session(choice.engine) as session:
            export = exports.export_workbook(
                session,
                choice.actor,
                choice.period,
                filters=choice.filters,
                demo_mode=choice.demo_mode,
            )
        bar.empty()
        st.session_state[WORKBOOK_FILE] = (chosen, export.data, export.rows)
    made = st.session_state.get(WORKBOOK_FILE)
    ready = made is not None and made[0] == chosen
    if ready:
        right.caption(t("summary.workbook_ready", rows=made[2]))
    with left:
        data = made[1] if ready else b""
        name = choice.file_name("workbook")
        download.show(t("reports.workbook"), data, name, "reports_workbook", disabled=not ready)
