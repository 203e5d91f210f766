"""儿童档案: the archive grid by column group, what each archive lacks, and the 建档率."""

import streamlit as st

from components import filters, grid, kpi
from components.context import current_actor, ready_engine
from db.engine import read_session
from locales import t
from services.records import child_columns, children

actor = current_actor()
engine = ready_engine()
st.title(t("children.title"))
st.caption(t("children.caption"))

with read_session(engine) as session:
    options = children.filter_options(session, actor)
    specs = children.child_columns(session, actor)
chosen = filters.show("children.filters", options, disabled=grid.unsaved("children"))
with read_session(engine) as session:
    rate = children.archive_completeness(session, actor, chosen)

kpi.show(
    [
        kpi.Kpi(
            t("children.archive_rate"),
            "—" if rate.rate is None else kpi.percent(rate.rate),
            t("children.archive_rate_help"),
        ),
        kpi.Kpi(t("children.complete"), f"{rate.complete:,}"),
        kpi.Kpi(t("children.incomplete"), f"{rate.total - rate.complete:,}"),
    ]
)

group = (
    st.segmented_control(
        t("children.group_picker"),
        child_columns.GROUPS,
        format_func=lambda g: t(f"children.group.{g}"),
        default="basic",
        key="children.group",
        disabled=grid.unsaved("children"),
    )
    or "basic"
)
shown = [s for s in specs if s.group == group or s.field in child_columns.ALWAYS_SHOWN]
can_edit = actor.role in children.EDITORS
if not can_edit:
    st.info(t("children.read_only"))

page = grid.show(
    "children",
    shown,
    actor,
    engine,
    lambda session, who, offset, limit: children.list_children(session, who, chosen, offset, limit),
    children.save_children,
    query=(chosen, group),
    label_field="name",
    can_edit=can_edit,
    load_rows=children.load_children,
)
if not page.empty:
    names = dict(zip(page["id"], page["name"], strict=True))
    pick_col, open_col = st.columns([3, 1], vertical_alignment="bottom")
    picked = pick_col.selectbox(
        t("children.open_profile"), list(names), format_func=names.get, key="children.profile_pick"
    )
    if open_col.button(t("children.open_profile"), key="children.open_profile"):
        st.session_state["profile.child_id"] = int(picked)
        st.switch_page("pages/child_profile.py")
if actor.role in children.LEADERS:
    grid.show_deleted(
        "children", actor, engine, children.list_deleted_children, children.restore_children
    )
