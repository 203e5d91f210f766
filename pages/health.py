"""体检: batch entry per class in the grid, flags for attention, coverage per class."""

from datetime import date

import streamlit as st

from components import grid, kpi
from components.context import current_actor, ready_engine
from db.engine import read_session
from locales import t
from services.care import health, participation

actor = current_actor()
engine = ready_engine()
st.title(t("health.title"))
st.caption(t("health.caption"))

with read_session(engine) as session:
    terms = participation.terms_in_view(session, actor)
    current = participation.current_term_id(session, actor, date.today())
    rooms = health.health_classrooms(session, actor)
term_col, class_col, date_col = st.columns(3)
term_id = term_col.selectbox(
    t("health.filter.term"),
    list(terms),
    index=list(terms).index(current) if current in terms else 0,
    format_func=terms.get,
    key="health.term",
)
classroom_id = class_col.selectbox(
    t("health.filter.classroom"), list(rooms), format_func=rooms.get, key="health.classroom"
)
default_date = date_col.date_input(
    t("health.filter.check_date"),
    value=date.today(),
    max_value=date.today(),
    help=t("health.filter.check_date_help"),
    key="health.check_date",
)
if term_id is None:
    st.info(t("health.no_term"))
    today = date.today()
    start_year = today.year if today.month >= 9 else today.year - 1
    period = (date(start_year, 9, 1), date(start_year + 1, 8, 31))
else:
    with read_session(engine) as session:
        period = participation.term_period(session, actor, term_id)

st.subheader(t("health.entry"))
if classroom_id is None:
    st.info(t("health.no_classes"))
else:
    grid.show(
        "health",
        health.health_specs(),
        actor,
        engine,
        lambda session, who, offset, limit: health.load_class_health_page(
            session, who, offset, limit, classroom_id, *period
        ),
        lambda session, who, changes: health.save_class_health(
            session, who, changes, classroom_id, *period, default_date
        ),
        query=(classroom_id, period),
        label_field="name",
        can_add=False,
        can_delete=False,
    )
    st.caption(t("health.flags_help"))

st.subheader(t("health.coverage.title"))
with read_session(engine) as session:
    coverage = health.health_coverage(session, actor, *period)
children, checked = int(coverage["children"].sum()), int(coverage["checked"].sum())
kpi.show(
    [
        kpi.Kpi(t("health.coverage.total"), kpi.percent(checked / children if children else 0)),
        kpi.Kpi(t("health.coverage.checked"), f"{checked:,} / {children:,}"),
        kpi.Kpi(t("health.coverage.low_vision"), f"{int(coverage['low_vision'].sum()):,}"),
    ]
)
shown = ["classroom", "children", "checked", "coverage", "left_behind_checked", "low_vision"]
config = {c: t(f"health.col.{c}") for c in shown}
config["coverage"] = st.column_config.ProgressColumn(
    t("health.col.coverage"), format="percent", min_value=0, max_value=1
)
st.dataframe(coverage[shown], column_config=config, hide_index=True, width="stretch")
