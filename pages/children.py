"""儿童档案: the archive grid by column group, what each archive lacks, and the 建档率."""

import streamlit as st

from components import archive_panels, deleted_rows, feedback, filters, grid, profile_card
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.records import children

actor = feedback.page_start(t("children.title"), t("children.caption"))
engine = ready_engine()
locked = grid.unsaved("children")  # a filter or group change would drop the unsaved edits
with read_session(engine) as session:
    options = children.filter_options(session, actor)
    specs = children.child_columns(session, actor)
chosen = filters.show("children.filters", options, disabled=locked)
with read_session(engine) as session:
    rate = children.archive_completeness(session, actor, chosen)
archive_panels.rate_kpis(rate)
group, shown = archive_panels.column_group(specs, "children.group", disabled=locked)

can_edit = actor.role in children.EDITORS
if not can_edit:
    st.info(t("children.read_only"))
page = grid.show(
    grid.GridConfig(
        "children",
        shown,
        grid.filtered(children.list_children, chosen),
        children.save_children,
        query=(chosen, group),
        can_edit=can_edit,
        load_rows=children.load_children,
    ),
    actor,
)
profile_card.open_button(page, "children")
if actor.role in children.LEADERS:
    deleted_rows.show("children", actor, children.list_deleted_children, children.restore_children)
