"""成长观察: once a term, the head teacher (a class) or paired teacher (her children) rates each
left-behind child on four 1–5 scales and adds a sentence; shown on 一人一档 as 成长记录."""

import streamlit as st

from components import feedback, filters, grid, growth_observation_panels
from components.context import ready_engine
from components.term_choice import choose_term
from db.engine import read_session
from locales import t
from services.growth import observations

actor = feedback.page_start(t("growth_observations.title"), t("growth_observations.caption"))
engine = ready_engine()
rooms = feedback.load_or_stop(lambda session: observations.observation_classrooms(session, actor))
picks_class = observations.picks_class(actor)
term_col, class_col = st.columns(2, vertical_alignment="bottom")
# A term or class change would drop the grid's unsaved edits.
locked = grid.unsaved(growth_observation_panels.GRID_KEY)
term_id = choose_term(
    actor,
    t("growth_observations.filter.term"),
    "growth_observations.term",
    where=term_col,
    empty_message=t("growth_observations.no_term"),
    disabled=locked,
)
classroom_id = None
if picks_class:
    if not rooms:
        st.info(t("growth_observations.no_classes"))
        st.stop()
    classroom_id = filters.pick(
        t("growth_observations.filter.classroom"),
        rooms,
        key="growth_observations.classroom",
        where=class_col,
        disabled=locked,
    )
else:
    class_col.caption(t("growth_observations.paired_caption"))

growth_observation_panels.legend()
with read_session(engine) as session:
    rows = observations.children_in_view(session, actor, term_id, classroom_id)
if rows == 0:
    st.info(
        t("growth_observations.no_children" if picks_class else "growth_observations.no_paired")
    )
else:
    growth_observation_panels.show_grid(actor, term_id, classroom_id, rows)
