"""资助: aid per child and term in the grid, with the term's totals per kind."""

import streamlit as st

from components import aid_totals, feedback, filters, grid
from components.context import ready_engine
from components.term_choice import choose_term
from db.engine import read_session
from locales import t
from services.care import aid

actor = feedback.page_start(t("aid.title"), t("aid.caption"))
engine = ready_engine()
with read_session(engine) as session:
    rooms = {None: t("aid.filter.all_classes"), **aid.aid_classrooms(session, actor)}
term_col, class_col = st.columns(2)
locked = grid.unsaved("aid")  # a term or class change would drop the unsaved edits
term_id = choose_term(
    actor, t("aid.filter.term"), "aid.term", where=term_col, empty_message=t("aid.no_term"),
    disabled=locked,
)  # fmt: skip
classroom_id = filters.pick(
    t("aid.filter.classroom"), rooms, key="aid.classroom", where=class_col, disabled=locked
)

can_edit = actor.role in aid.EDITOR_ROLES
st.caption(t("aid.pick_class_to_add") if can_edit else t("aid.readonly"))
with read_session(engine) as session:
    specs = aid.aid_specs(list(aid.class_children(session, actor, classroom_id)))
grid.show(
    grid.GridConfig(
        "aid",
        specs,
        lambda session, who, offset, limit: aid.load_aid_page(
            session, who, offset, limit, term_id, classroom_id
        ),
        lambda session, who, changes: aid.save_aid_changes(
            session, who, changes, term_id, classroom_id
        ),
        query=(term_id, classroom_id),
        label_field="child",
        can_edit=can_edit,
    ),
    actor,
)

st.subheader(t("aid.totals.title"))
with read_session(engine) as session:
    totals = aid.aid_totals(session, actor, term_id)
aid_totals.show(totals)
