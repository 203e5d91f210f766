"""首页: the school's (or county's) headline counts."""

import streamlit as st

from components import kpi
from components.context import current_actor, ready_engine
from db.engine import read_session
from db.enums import Role
from locales import t
from services.metrics.headcounts import school_headline

actor = current_actor()
st.title(t("home.title"))
st.caption(t("home.welcome", name=actor.display_name))

with read_session(ready_engine()) as session:
    headline = school_headline(session, actor)

if actor.role == Role.BUREAU:
    st.subheader(t("home.scope_county", county=actor.county or ""))
else:
    st.subheader(t("home.scope_school"))

if headline.children == 0:
    st.info(t("home.empty"))
kpi.show(
    [
        kpi.Kpi(t("home.children"), f"{headline.children:,}"),
        kpi.Kpi(t("home.left_behind"), f"{headline.left_behind:,}"),
        kpi.Kpi(t("home.left_behind_share"), kpi.percent(headline.left_behind_share)),
        kpi.Kpi(
            t("home.both_parents_share"),
            kpi.percent(headline.both_parents_share),
            help=t("home.share_help"),
        ),
        kpi.Kpi(
            t("home.one_parent_share"),
            kpi.percent(headline.one_parent_share),
            help=t("home.share_help"),
        ),
    ]
)
