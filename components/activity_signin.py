"""The activities page's sign-in section: pick an activity of the period, see how many came, tick
who came (components/signin.py draws the roster)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import filters, signin
from components.context import ready_engine
from db.engine import read_session
from db.enums import ActivityType
from locales import enum_label, t
from locales.values import aside
from services.actor import Actor
from services.care.activities import list_activities
from services.care.signin_sheet import signin_roster


def show(actor: Actor, period: tuple[date | None, date | None], activity_type: str | None) -> None:
    """The activity picker over the period's activities of the type, then its sign-in panel."""
    with read_session(ready_engine()) as session:
        listed = list_activities(session, actor, *period, activity_type)
    if listed.empty:
        st.info(t("activities.signin.none"))
        return
    labels = {
        int(r.id): f"{r.activity_date} {aside(r.title, enum_label(ActivityType(r.activity_type)))}"
        for r in listed.itertuples()
    }
    activity_id = filters.pick(t("activities.signin.pick"), labels, key="signin.pick")
    with read_session(ready_engine()) as session:
        roster = signin_roster(session, actor, activity_id)
    picked = listed.set_index("id").loc[activity_id]
    st.caption(
        t(
            "activities.signin.summary",
            attended=picked["attended"],
            lb=picked["attended_left_behind"],
        )
    )
    if roster.empty:
        st.warning(t("activities.signin.no_classes"))
    else:
        signin.show(activity_id, roster, actor)
