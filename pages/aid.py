"""资助: aid per child and term in the grid, with the term's totals per kind."""

from datetime import date

import streamlit as st

from components import grid, kpi
from components.context import current_actor, ready_engine
from db.engine import read_session
from db.enums import AidKind
from locales import enum_label, t
from services.care import aid, participation

actor = current_actor()
engine = ready_engine()
st.title(t("aid.title"))
st.caption(t("aid.caption"))

with read_session(engine) as session:
    terms = participation.terms_in_view(session, actor)
    current = participation.current_term_id(session, actor, date.today())
    rooms = {None: t("aid.filter.all_classes"), **aid.aid_classrooms(session, actor)}
if not terms:
    st.info(t("aid.no_term"))
    st.stop()
term_col, class_col = st.columns(2)
term_id = term_col.selectbox(
    t("aid.filter.term"),
    list(terms),
    index=list(terms).index(current) if current in terms else 0,
    format_func=terms.get,
    key="aid.term",
)
classroom_id = class_col.selectbox(
    t("aid.filter.classroom"), list(rooms), format_func=rooms.get, key="aid.classroom"
)

can_edit = actor.role in aid.EDITOR_ROLES
st.caption(t("aid.pick_class_to_add") if can_edit else t("aid.readonly"))
with read_session(engine) as session:
    specs = aid.aid_specs(list(aid.class_children(session, actor, classroom_id)))
grid.show(
    "aid",
    specs,
    actor,
    engine,
    lambda session, who, offset, limit: aid.load_aid_page(
        session, who, offset, limit, term_id, classroom_id
    ),
    lambda session, who, changes: aid.save_aid_changes(
        session, who, changes, term_id, classroom_id
    ),
    query=(term_id, classroom_id),
    label_field="child",
    can_edit=can_edit,
)

st.subheader(t("aid.totals.title"))
with read_session(engine) as session:
    totals = aid.aid_totals(session, actor, term_id)
kpi.show(
    [
        kpi.Kpi(t("aid.totals.amount"), f"{totals['amount'].sum():,.2f}"),
        kpi.Kpi(t("aid.totals.records"), f"{int(totals['records'].sum()):,}"),
    ]
)
totals["kind"] = [enum_label(AidKind(k)) for k in totals["kind"]]
shown = ["kind", "records", "children", "amount"]
st.dataframe(
    totals[shown],
    column_config={
        "kind": t("aid.col.kind"),
        "records": t("aid.col.records"),
        "children": t("aid.col.children"),
        "amount": st.column_config.NumberColumn(t("aid.col.amount"), format="%.2f"),
    },
    hide_index=True,
    width="stretch",
)
