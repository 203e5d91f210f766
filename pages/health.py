"""体检: batch entry per class in the grid, flags for attention, coverage per class."""

import streamlit as st

from components import feedback, filters, grid, health_coverage
from components.context import ready_engine
from components.term_choice import choose_term, term_dates
from db.engine import read_session
from locales import t
from services.care import health
from services.clock import school_today

actor = feedback.page_start(t("health.title"), t("health.caption"))
engine = ready_engine()
with read_session(engine) as session:
    rooms = health.health_classrooms(session, actor)
term_col, class_col, date_col = st.columns(3)
locked = grid.unsaved("health")  # a term or class change would drop the unsaved edits
term_id = choose_term(
    actor, t("health.filter.term"), "health.term", where=term_col, disabled=locked
)
classroom_id = filters.pick(
    t("health.filter.classroom"), rooms, key="health.classroom", where=class_col, disabled=locked
)
default_date = date_col.date_input(
    t("health.filter.check_date"),
    value=school_today(),
    max_value=school_today(),
    help=t("health.filter.check_date_help"),
    key="health.check_date",
)
if term_id is None:
    st.info(t("health.no_term"))
period = term_dates(actor, term_id)

st.subheader(t("health.entry"))
if classroom_id is None:
    st.info(t("health.no_classes"))
else:
    grid.show(
        grid.GridConfig(
            "health",
            health.health_specs(),
            lambda session, who, offset, limit: health.load_class_health_page(
                session, who, offset, limit, classroom_id, *period
            ),
            lambda session, who, changes: health.save_class_health(
                session, who, changes, classroom_id, *period, default_date
            ),
            query=(classroom_id, period),
            can_add=False,
            can_delete=False,
        ),
        actor,
    )
    st.caption(t("health.flags_help"))

st.subheader(t("health.coverage.title"))
with read_session(engine) as session:
    coverage = health.health_coverage(session, actor, *period)
health_coverage.show(coverage, actor)
