"""总览: KPI cards and charts for principal, admin and bureau; filters term, grade, class."""

from datetime import date

import streamlit as st

from components import dashboard_view, feedback, kpi
from components.context import current_actor, ready_engine
from components.report_figures import dashboard_figures
from db.engine import database_url, read_session, write_session
from locales import t
from services.actor import Actor
from services.clock import school_today
from services.metrics.dashboard import Dashboard, load_dashboard
from services.metrics.scope import Period, Scope
from services.metrics.summary import refresh_in_view

CACHE_SECONDS = 120


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=64)
def cached_dashboard(
    database: str, actor: Actor, scope: Scope, period: Period, as_of: date
) -> Dashboard:
    """The aggregates change slowly; reruns (every widget click) reuse them for two minutes.

    `database` (the URL) is part of the cache key only."""
    with write_session(ready_engine()) as session:  # the county summary: what changed since
        refresh_in_view(session, actor)
    with read_session(ready_engine()) as session:
        return load_dashboard(session, actor, scope, period, as_of)


current_actor()  # first: it applies the session's language to the title below
actor = feedback.page_start(t("dashboard.title"))
today = school_today()
with read_session(ready_engine()) as session:
    scope, period = dashboard_view.filters(session, actor, today)
if st.button(t("dashboard.refresh"), icon=":material/refresh:"):
    cached_dashboard.clear()
data = cached_dashboard(database_url(), actor, scope, period, today)

st.caption(
    t("dashboard.period", start=period.start, end=period.end, today=today)
    + " · "
    + t("dashboard.cached")
)
kpi.show(dashboard_view.kpi_cards(data))
dashboard_view.progress(data)
st.caption(t("dashboard.ended_note"))

figures = dashboard_figures(data)
for pair_start in range(0, len(figures), 2):
    for column, figure in zip(st.columns(2), figures[pair_start : pair_start + 2], strict=False):
        column.plotly_chart(figure, width="stretch")
