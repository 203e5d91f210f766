"""关爱成效: per term, left-behind children against their classmates and the care groups against
each other (results' mean percentile, observations, change); association, not cause."""

from datetime import date

import streamlit as st

from components import dashboard_view, feedback, outcome_charts, outcome_view, tables
from components.context import current_actor, ready_engine
from db.engine import database_url, read_session
from locales import t
from services.actor import Actor
from services.clock import school_today
from services.metrics.outcome import OutcomeFigures, outcome_figures
from services.metrics.scope import Period, Scope


@st.cache_data(ttl=120, show_spinner=False, max_entries=32)
def cached_outcome(
    url: str, actor: Actor, scope: Scope, period: Period, day: date
) -> OutcomeFigures:
    """Figures change once a term: reruns (every widget click) reuse them for two minutes (the
    database's `url` keys the cache only)."""
    with read_session(ready_engine()) as session:
        return outcome_figures(session, actor, scope, period, day)


current_actor()  # first: it applies the session's language to the title below
actor = feedback.page_start(t("outcome.title"), t("outcome.intro"))
today = school_today()
with read_session(ready_engine()) as session:
    scope, period = dashboard_view.filters(session, actor, today)  # 总览's: the same choices
figures = cached_outcome(database_url(), actor, scope, period, today)
if figures.empty:
    st.info(t("outcome.empty"))
    st.stop()

st.info(t("outcome.note.association"), icon=":material/info:")
if figures.hidden_below:
    st.caption(t("outcome.note.hidden"))
latest = figures.terms[-1]
st.plotly_chart(outcome_charts.percentile_figure(figures.table), width="stretch")
st.caption(t("outcome.note.percentile"))
st.plotly_chart(outcome_charts.scales_figure(figures.table, latest), width="stretch")

for term in reversed(figures.terms):
    st.subheader(term)
    previous = figures.row(term, "left_behind")["previous_term"]
    versus = t("outcome.term_versus", previous=previous) if previous else t("outcome.term_first")
    st.caption(versus + t("outcome.among_left_behind"))
    tables.show(
        outcome_view.term_table(figures, term),
        outcome_view.labels(),
        widths=outcome_view.WIDTHS,
        key=f"o_{term}",
    )
