"""结对帮扶: teacher load, unpaired left-behind children (key first), quick pairing, the grid."""

from datetime import date

import streamlit as st

from components import grid
from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import LeftBehindType
from locales import enum_label, t
from services.care.participation import current_term_id, terms_in_view
from services.errors import NotAllowed, ValidationFailed
from services.records import pairings

actor = current_actor()
engine = ready_engine()
st.title(t("pairings.title"))
st.caption(t("pairings.caption"))

with read_session(engine) as session:
    terms = terms_in_view(session, actor)
    current = current_term_id(session, actor, date.today())
if not terms:
    st.info(t("pairings.no_term"))
    st.stop()
term_ids = list(terms)
term_id = st.selectbox(
    t("pairings.term"), term_ids, format_func=terms.get,
    index=term_ids.index(current) if current in term_ids else 0, key="pairings.term",
)  # fmt: skip
can_assign = actor.role in pairings.ASSIGNERS

with read_session(engine) as session:
    loads = pairings.teacher_loads(session, actor, term_id)
    unpaired = pairings.unpaired_children(session, actor, term_id)
    specs = pairings.pairing_columns(session, actor)
    teachers = pairings.teacher_labels(session, actor)

over = loads[loads["over_limit"]]
if not over.empty:
    st.warning(t("pairings.load.warning", names="、".join(over["teacher"])))
left, right = st.columns([2, 3])
with left:
    st.subheader(t("pairings.load.title"))
    st.dataframe(
        loads[["teacher", "children", "key_children", "over_limit"]].rename(
            columns={
                "teacher": t("pairings.load.teacher"),
                "children": t("pairings.load.children"),
                "key_children": t("pairings.load.key_children"),
                "over_limit": t("pairings.load.over"),
            }
        ),
        hide_index=True,
        width="stretch",
        height=260,
    )
with right:
    st.subheader(t("pairings.unpaired.title", count=len(unpaired)))
    if unpaired.empty:
        st.success(t("pairings.unpaired.none"))
    else:
        shown = unpaired.assign(
            left_behind_type=[enum_label(v, LeftBehindType) for v in unpaired["left_behind_type"]]
        )
        st.dataframe(
            shown[["name", "classroom", "left_behind_type", "is_key"]].rename(
                columns={
                    "name": t("pairings.unpaired.name"),
                    "classroom": t("pairings.unpaired.classroom"),
                    "left_behind_type": t("pairings.unpaired.type"),
                    "is_key": t("pairings.unpaired.key"),
                }
            ),
            hide_index=True,
            width="stretch",
            height=260,
        )

if can_assign and teachers and not unpaired.empty:
    with st.form("pairings.assign", border=True):
        st.markdown(f"**{t('pairings.assign.title')}**")
        labels = {
            int(r.id): f"{'★ ' if r.is_key else ''}{r.name}（{r.classroom}）"
            for r in unpaired.itertuples()
        }
        teacher_id = st.selectbox(
            t("pairings.assign.teacher"), list(teachers), format_func=teachers.get
        )
        child_ids = st.multiselect(
            t("pairings.assign.children"),
            list(labels),
            format_func=labels.get,
            placeholder=t("pairings.assign.placeholder"),
        )
        if st.form_submit_button(t("pairings.assign.submit"), type="primary") and child_ids:
            try:
                with write_session(engine) as session:
                    pairings.assign(session, actor, term_id, teacher_id, child_ids)
            except ValidationFailed as exc:
                st.error(t("error.validation_failed", count=len(exc.problems)))
                st.dataframe(grid.problems_frame(exc.problems), hide_index=True)
            except NotAllowed as exc:
                st.error(t(exc.message_key))
            else:
                st.session_state["pairings.notice"] = t(
                    "pairings.assign.done", teacher=teachers[teacher_id], count=len(child_ids)
                )
                st.rerun()
if notice := st.session_state.pop("pairings.notice", None):
    st.success(notice)

st.subheader(t("pairings.list.title"))
if not can_assign:
    st.info(t("pairings.read_only"))
grid.show(
    "pairings",
    specs,
    actor,
    engine,
    lambda session, who, offset, limit: pairings.list_pairings(
        session, who, term_id, offset, limit
    ),
    lambda session, who, changes: pairings.save_pairings(session, who, term_id, changes),
    query=term_id,
    label_field="child",
    can_edit=can_assign,
    load_rows=pairings.load_pairings,
)
