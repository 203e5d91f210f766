"""结对帮扶: teacher load, unpaired left-behind children (key first), quick pairing, the grid."""

import streamlit as st

from components import feedback, grid, pairing_panels
from components.context import ready_engine
from components.term_choice import choose_term
from db.engine import read_session
from locales import t
from services.records import pairings

actor = feedback.page_start(t("pairings.title"), t("pairings.caption"))
term_id = choose_term(
    actor, t("pairings.term"), "pairings.term", empty_message=t("pairings.no_term")
)
can_assign = actor.role in pairings.ASSIGNERS
with read_session(ready_engine()) as session:
    # The school's loads (and their overload warning) are for the roles that arrange pairings.
    loads = pairings.teacher_loads(session, actor, term_id) if can_assign else None
    unpaired = pairings.unpaired_children(session, actor, term_id)
    specs = pairings.pairing_columns(session, actor)
    teachers = pairings.teacher_labels(session, actor)

pairing_panels.loads_and_unpaired(loads, unpaired)
if can_assign and teachers and not unpaired.empty:
    pairing_panels.assign_form(actor, term_id, teachers, unpaired)

st.subheader(t("pairings.list.title"))
if not can_assign:
    st.info(t("pairings.read_only"))
grid.show(
    grid.GridConfig(
        "pairings",
        specs,
        grid.filtered(pairings.list_pairings, term_id),
        lambda session, who, changes: pairings.save_pairings(session, who, term_id, changes),
        query=term_id,
        label_field="child",
        can_edit=can_assign,
        load_rows=pairings.load_pairings,
    ),
    actor,
)
