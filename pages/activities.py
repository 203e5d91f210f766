"""关爱活动: the activity grid, the sign-in panel and participation of left-behind children."""

from datetime import date

import streamlit as st

from components import activity_signin, feedback, filters, grid, participation_panel
from components.context import ready_engine
from components.term_choice import choose_term
from db.engine import read_session
from db.enums import ActivityType
from locales import enum_options, t
from services.care import activities, participation

actor = feedback.page_start(t("activities.title"), t("activities.caption"))
engine = ready_engine()
left, right = st.columns(2)
term_id = choose_term(actor, t("activities.participation.term"), "activities.term", where=left)
types = {None: t("activities.filter.all_types"), **enum_options(ActivityType)}
chosen_type = filters.pick(t("activities.filter.type"), types, key="activities.type", where=right)
period: tuple[date | None, date | None] = (None, None)  # no term yet: every activity
if term_id is None:
    st.info(t("activities.participation.no_term"))
else:
    with read_session(engine) as session:
        period = participation.term_period(session, actor, term_id)

# Only the chosen section runs: ticking a box or editing the list does not recompute the
# statistics, and the statistics do not load the grid.
first = "list" if actor.role in activities.EDITOR_ROLES else "signin"
section = (
    st.segmented_control(
        t("activities.section"),
        ["list", "signin", "participation"],
        format_func=lambda name: t(f"activities.tab.{name}"),
        default=first,
        key="activities.section",
        disabled=grid.unsaved("activities"),
        label_visibility="collapsed",
    )
    or first  # clicking the chosen section again clears the control
)

if section == "list":
    can_edit = actor.role in activities.EDITOR_ROLES
    if not can_edit:
        st.info(t("activities.readonly"))
    with read_session(engine) as session:
        specs = activities.specs_for(session, actor)
    grid.show(
        grid.GridConfig(
            "activities",
            specs,
            lambda session, who, offset, limit: activities.load_activities_page(
                session, who, offset, limit, *period, chosen_type
            ),
            activities.save_activity_changes,
            query=(term_id, chosen_type),
            label_field="title",
            can_edit=can_edit,
            load_rows=activities.load_activity_rows,
        ),
        actor,
    )
if section == "signin":
    activity_signin.show(actor, period, chosen_type)
if section == "participation":
    participation_panel.show(actor, period)
