"""成绩录入: a class's term results in the grid (a score or 优/良/中/差 per subject), or its
results sheet imported; percentiles are kept by the service."""

import streamlit as st

from components import feedback, filters, grid, results_import
from components.context import ready_engine
from components.term_choice import choose_term
from db.engine import read_session
from locales import t
from services.growth import results

actor = feedback.page_start(t("growth_results.title"), t("growth_results.caption"))
with read_session(ready_engine()) as session:
    rooms = results.results_classrooms(session, actor)
term_col, class_col = st.columns(2)
locked = grid.unsaved("growth_results")  # a term or class change would drop the unsaved edits
term_id = choose_term(
    actor, t("growth_results.filter.term"), "growth_results.term", where=term_col,
    empty_message=t("growth_results.no_term"), disabled=locked,
)  # fmt: skip
classroom_id = filters.pick(
    t("growth_results.filter.classroom"), rooms, key="growth_results.classroom", where=class_col,
    disabled=locked,
)  # fmt: skip
if classroom_id is None or term_id is None:
    st.info(t("growth_results.no_classes"))
    st.stop()

grid_tab, import_tab = st.tabs([t("growth_results.tab.grid"), t("growth_results.tab.import")])
with grid_tab:
    with read_session(ready_engine()) as session:
        subjects = results.class_subjects(session, classroom_id, term_id)
    grid.show(
        grid.GridConfig(
            "growth_results",
            results.result_specs(subjects),
            lambda session, who, offset, limit: results.load_class_results_page(
                session, who, offset, limit, classroom_id, term_id
            ),
            lambda session, who, changes: results.save_class_results(
                session, who, changes, classroom_id, term_id
            ),
            query=(classroom_id, term_id, tuple(subjects)),
            can_add=False,
            can_delete=False,
            height=35 * 21 + 3,  # 20 children at a glance (a class is entered top to bottom)
        ),
        actor,
    )
    st.caption(t("growth_results.percentile_help"))
with import_tab:
    results_import.show(actor, classroom_id, term_id)  # last: its steps may stop the run
