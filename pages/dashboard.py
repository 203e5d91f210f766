"""总览: KPI cards and charts for principal, admin and bureau; filters term, grade, class."""

from datetime import date

import streamlit as st

from components import charts, kpi
from components.context import current_actor, ready_engine
from db.engine import database_url, read_session
from db.enums import Role
from locales import t
from services.accounts.actor import Actor
from services.metrics.dashboard import (
    Dashboard,
    Scope,
    classroom_options,
    grade_options,
    load_dashboard,
    term_options,
)

CACHE_SECONDS = 120

actor = current_actor()
st.title(t("dashboard.title"))
today = date.today()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=64)
def cached_dashboard(database: str, actor: Actor, scope: Scope) -> Dashboard:
    """The aggregates change slowly; reruns (every widget click) reuse them for two minutes.

    `database` (the URL) is part of the cache key only."""
    with read_session(ready_engine()) as session:
        return load_dashboard(session, actor, scope)


def pct(share: float | None) -> str:
    return "—" if share is None else kpi.percent(share)


with read_session(ready_engine()) as session:
    terms = term_options(session, actor)
    grades = grade_options(session, actor)
    left, middle, right = st.columns(3)
    if terms.empty:
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        left.caption(t("dashboard.no_terms"))
    else:
        current = [i for i, r in terms.iterrows() if r["start"] <= today <= r["end"]]
        choice = left.selectbox(
            t("dashboard.filter.term"),
            list(range(len(terms))),
            index=current[0] if current else 0,
            format_func=lambda i: terms.iloc[i]["name"],
            key="dashboard_term",
        )
        start, end = terms.iloc[choice]["start"], terms.iloc[choice]["end"]
    grade = middle.selectbox(
        t("dashboard.filter.grade"),
        [None, *grades],
        format_func=lambda g: t("dashboard.all") if g is None else t("chart.grade_n", n=g),
        key="dashboard_grade",
    )
    rooms = classroom_options(session, actor, grade)
    classroom_id = right.selectbox(
        t("dashboard.filter.class"),
        [None, *rooms["classroom_id"].tolist()],
        format_func=lambda c: (
            t("dashboard.all") if c is None else rooms.set_index("classroom_id").loc[c, "name"]
        ),
        key="dashboard_class",
        disabled=rooms.empty,
    )
if st.button(t("dashboard.refresh"), icon=":material/refresh:"):
    cached_dashboard.clear()
data = cached_dashboard(database_url(), actor, Scope(start, end, grade, classroom_id, as_of=today))

k = data.kpis
st.caption(t("dashboard.period", start=start, end=end) + " · " + t("dashboard.cached"))
kpi.show(
    [
        kpi.Kpi(t("dashboard.kpi.children"), f"{k.children:,}"),
        kpi.Kpi(t("dashboard.kpi.left_behind"), f"{k.left_behind:,}"),
        kpi.Kpi(t("dashboard.kpi.left_behind_share"), pct(k.left_behind_share)),
        kpi.Kpi(t("dashboard.kpi.archive_rate"), pct(k.archive_rate), t("dashboard.help.archive")),
        kpi.Kpi(t("dashboard.kpi.both_parents_share"), pct(k.both_parents_share)),
        kpi.Kpi(t("dashboard.kpi.one_parent_share"), pct(k.one_parent_share)),
        kpi.Kpi(t("dashboard.kpi.pairing_left_behind"), pct(k.pairing_coverage_left_behind)),
        kpi.Kpi(t("dashboard.kpi.pairing_key"), pct(k.pairing_coverage_key)),
        kpi.Kpi(
            t("dashboard.kpi.month_compliance"),
            pct(k.month_compliance),
            t("dashboard.help.compliance"),
        ),
        kpi.Kpi(t("dashboard.kpi.participation_lb"), pct(k.left_behind_participation)),
        kpi.Kpi(t("dashboard.kpi.participation_other"), pct(k.other_participation)),
    ]
)

county_view = actor.role == Role.BUREAU
figures = [
    charts.build_compliance_heatmap_figure(data.compliance_heatmap, by_school=county_view),
    charts.build_compliance_trend_figure(data.compliance_trend),
    charts.build_compliance_by_teacher_figure(data.compliance_by_owner, by_school=county_view),
    charts.build_left_behind_by_grade_figure(data.left_behind_by_grade),
    charts.build_participation_by_type_figure(data.participation_by_type),
    charts.build_contacts_by_channel_figure(data.contacts_by_channel),
]
for pair_start in range(0, len(figures), 2):
    for column, figure in zip(st.columns(2), figures[pair_start : pair_start + 2], strict=False):
        column.plotly_chart(figure, width="stretch")
