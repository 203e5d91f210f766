"""报表导出: choose a period and scope, then one click per report (built when clicked, audited)."""

from collections.abc import Callable

import streamlit as st

from components import download, feedback, filters, report_period
from components.context import current_actor, ready_engine
from components.report_figures import report_figures
from db.engine import read_session, write_session
from db.enums import Role
from locales import current_language, set_language, t
from services.clock import school_today
from services.metrics.options import term_options
from services.reports import exports
from services.reports.data import ReportFilters
from services.reports.workbook import reporting_progress

current_actor()  # first: it applies the session's language to the title below
actor = feedback.page_start(t("reports.title"), t("reports.intro"))
engine = ready_engine()
demo_mode = actor.demo_mode  # the sidebar's 演示模式 switch (principal and admin)
if exports.is_masked(actor, demo_mode):
    st.info(t("reports.masked_notice"))
else:
    st.warning(t("reports.full_notice"))

with read_session(engine) as session:
    terms = term_options(session, actor)
    rooms = exports.classroom_choices(session, actor)

kind_col, when_col, scope_col = st.columns(3)
period = report_period.choose(kind_col, when_col, terms, school_today())
classroom_id = scope_col.selectbox(
    t("reports.classroom"),
    [None, *rooms],
    format_func=lambda c: exports.whole_scope(actor) if c is None else rooms[c],
    key="reports_classroom",
    disabled=not rooms,
    placeholder=filters.choose(),
)
if period is None:
    st.stop()
filters = ReportFilters(classroom_id=classroom_id)


def built(export: Callable[..., exports.ExportFile], **options: object) -> Callable[[], bytes]:
    """Build the file when the button is clicked, in its own audited transaction."""

    language = current_language()  # the click runs outside this script run: carry the language

    def build() -> bytes:
        set_language(language)
        with write_session(engine) as session:
            return export(session, actor, period, demo_mode=demo_mode, **options).data

    return build


TEXTS = {  # report → (button label, help) locale keys
    "bureau_docx": ("reports.bureau_docx", "reports.help.bureau"),
    "bureau_pdf": ("reports.bureau_pdf", "reports.help.bureau_pdf"),
    "workbook": ("reports.workbook", "reports.help.workbook"),
    "cards": ("reports.cards", "reports.help.cards"),
}


def row(report: str, data: Callable[[], bytes]) -> None:
    with read_session(engine) as session:
        name = exports.export_file_name(session, actor, report, period, filters, demo_mode)
    label, help_key = TEXTS[report]
    left, right = st.columns([1, 2])
    with left:
        primary = report == "bureau_docx"
        download.show(t(label), data, name, key=f"reports_{report}", primary=primary)
    right.caption(t(help_key))


WORKBOOK_FILE = "reports_workbook_file"  # (choice, bytes, rows) of the workbook built last


def workbook_row() -> None:
    """The workbook is built on a click with a progress bar (a year of a big school has
    hundreds of thousands of rows), in its own audited transaction; then it is downloaded."""
    choice = (period, filters, demo_mode, current_language())
    with read_session(engine) as session:
        name = exports.export_file_name(session, actor, "workbook", period, filters, demo_mode)
    left, right = st.columns([1, 2])
    right.caption(t("reports.help.workbook") + " " + t("summary.workbook_help"))
    if right.button(t("summary.workbook_build"), key="reports_workbook_build"):
        bar = right.progress(0.0, text=t("summary.workbook_querying"))

        def progress(done: int, total: int) -> None:
            text = t("summary.workbook_progress", done=done, total=total)
            bar.progress(done / total if total else 1.0, text=text)

        with reporting_progress(progress), write_session(engine) as session:
            export = exports.export_workbook(
                session, actor, period, filters=filters, demo_mode=demo_mode
            )
        bar.empty()
        st.session_state[WORKBOOK_FILE] = (choice, export.data, export.rows)
    made = st.session_state.get(WORKBOOK_FILE)
    ready = made is not None and made[0] == choice
    if ready:
        right.caption(t("summary.workbook_ready", rows=made[2]))
    with left:
        data = made[1] if ready else b""
        download.show(t("reports.workbook"), data, name, "reports_workbook", disabled=not ready)


st.divider()
bureau = {"filters": filters, "figures": report_figures}
row("bureau_docx", built(exports.export_bureau_docx, **bureau))
row("bureau_pdf", built(exports.export_bureau_pdf, **bureau))
workbook_row()
if actor.role != Role.BUREAU:
    if classroom_id is None:
        st.caption(t("reports.cards_need_class"))
    else:
        row("cards", built(exports.export_contact_cards, classroom_id=classroom_id))
