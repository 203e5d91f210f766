"""首页: the school's (or county's) headcounts — the same figures as 总览 and the report."""

import streamlit as st

from components import counsellor_home, feedback, first_week, kpi
from components.context import current_actor, ready_engine
from components.safe_text import md
from db.engine import read_session
from db.enums import Role
from locales import t
from services.metrics.headcounts import school_headline

current_actor()  # first: it applies the session's language to the title below
actor = feedback.page_start(t("home.title"))
st.caption(md("home.welcome", name=actor.display_name))
first_week.show(actor)  # a new school's checklist; the administrator's backup status
if actor.role == Role.COUNSELLOR:  # follow-ups and the children at risk first
    counsellor_home.show(actor)
with read_session(ready_engine()) as session:
    heads = school_headline(session, actor)

if actor.role == Role.BUREAU:
    st.subheader(md("home.scope_county", county=actor.county))
else:
    st.subheader(t("home.scope_school"))
if heads.children == 0:
    st.info(t("home.empty"))
kpi.show(
    [
        kpi.Kpi(t("home.children"), f"{heads.children:,}"),
        kpi.Kpi(t("home.left_behind"), f"{heads.left_behind:,}"),
        kpi.Kpi(t("home.left_behind_share"), kpi.percent(heads.left_behind_share)),
        kpi.Kpi(
            t("home.both_parents_share"),
            kpi.percent(heads.both_parents_share),
            help=t("home.share_help"),
        ),
        kpi.Kpi(
            t("home.one_parent_share"),
            kpi.percent(heads.one_parent_share),
            help=t("home.share_help"),
        ),
    ]
)
