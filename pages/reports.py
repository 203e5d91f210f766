"""报表导出: choose a period and scope, then one click per report (built when clicked, audited)."""

from collections.abc import Callable
from datetime import date

import streamlit as st

from components import download
from components.context import current_actor, ready_engine
from components.report_figures import report_figures
from db.engine import read_session, write_session
from db.enums import Role
from locales import current_language, set_language, t
from services.metrics.dashboard import term_options
from services.reports import exports
from services.reports.data import ReportFilters, ReportPeriod

actor = current_actor()
engine = ready_engine()
today = date.today()
st.title(t("reports.title"))
st.write(t("reports.intro"))

demo_mode = actor.demo_mode  # the sidebar's 演示模式 switch (principal and admin)
if exports.is_masked(actor, demo_mode):
    st.info(t("reports.masked_notice"))
else:
    st.warning(t("reports.full_notice"))

with read_session(engine) as session:
    terms = term_options(session, actor)
    rooms = exports.classroom_choices(session, actor)

kinds = ["month", "term", "year"]
kind_col, when_col, scope_col = st.columns(3)
kind = kind_col.radio(
    t("reports.period_kind"),
    kinds,
    format_func=lambda k: t(f"reports.kind.{k}"),
    horizontal=True,
    key="reports_kind",
)
years = list(range(today.year, today.year - 5, -1))
period: ReportPeriod | None
if kind == "month":
    year_col, month_col = when_col.columns(2)
    year = year_col.selectbox(t("reports.year"), years, key="reports_year")
    month = month_col.selectbox(
        t("reports.month"), range(1, 13), index=today.month - 1, key="reports_month"
    )
    period = exports.month_period(year, month)
elif kind == "year":
    period = exports.year_period(
        when_col.selectbox(t("reports.year"), years, key="reports_only_year")
    )
elif terms.empty:
    when_col.caption(t("reports.no_terms"))
    period = None
else:
    row = when_col.selectbox(
        t("reports.term"),
        range(len(terms)),
        format_func=lambda i: terms.iloc[i]["name"],
        key="reports_term",
    )
    period = exports.term_period(
        terms.iloc[row]["name"], terms.iloc[row]["start"], terms.iloc[row]["end"]
    )
classroom_id = scope_col.selectbox(
    t("reports.classroom"),
    [None, *rooms],
    format_func=lambda c: t("reports.all_school") if c is None else rooms[c],
    key="reports_classroom",
    disabled=not rooms,
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


def row(report: str, label: str, help_key: str, data: Callable[[], bytes], key: str) -> None:
    with read_session(engine) as session:
        name = exports.export_file_name(session, actor, report, period, filters, demo_mode)
    left, right = st.columns([1, 2])
    with left:
        download.show(label, data, name, key=key, primary=report == "bureau_docx")
    right.caption(t(help_key))


st.divider()
row(
    "bureau_docx",
    t("reports.bureau_docx"),
    "reports.help.bureau",
    built(exports.export_bureau_docx, filters=filters, figures=report_figures),
    "reports_bureau_docx",
)
row(
    "bureau_pdf",
    t("reports.bureau_pdf"),
    "reports.help.bureau_pdf",
    built(exports.export_bureau_pdf, filters=filters, figures=report_figures),
    "reports_bureau_pdf",
)
row(
    "workbook",
    t("reports.workbook"),
    "reports.help.workbook",
    built(exports.export_workbook, filters=filters),
    "reports_workbook",
)
if actor.role != Role.BUREAU:
    if classroom_id is None:
        st.caption(t("reports.cards_need_class"))
    else:
        row(
            "cards",
            t("reports.cards"),
            "reports.help.cards",
            built(exports.export_contact_cards, classroom_id=classroom_id),
            "reports_cards",
        )
