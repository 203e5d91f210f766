"""报表导出: choose a period and scope, then one click per report (built when clicked, audited)."""

import streamlit as st

from components import feedback, filters, report_period
from components.context import current_actor, ready_engine
from components.report_figures import report_figures
from components.report_rows import ReportChoice, built, row, workbook_row
from db.engine import read_session
from db.enums import Role
from locales import t
from services.clock import school_today
from services.metrics.options import term_options
from services.reports import exports
from services.reports.data import ReportFilters

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
choice = ReportChoice(engine, actor, period, ReportFilters(classroom_id=classroom_id), demo_mode)

st.divider()
bureau = {"filters": choice.filters, "figures": report_figures}
row(choice, "bureau_docx", built(choice, exports.export_bureau_docx, **bureau))
row(choice, "bureau_pdf", built(choice, exports.export_bureau_pdf, **bureau))
workbook_row(choice)
if actor.role != Role.BUREAU:
    if classroom_id is None:
        st.caption(t("reports.cards_need_class"))
    else:
        row(choice, "cards", built(choice, exports.export_contact_cards, classroom_id=classroom_id))
