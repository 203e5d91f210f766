"""首页 for the counsellor: the children whose counselling needs following up (a high-risk note
in the last six months), each opening 一人一档, and how many children are on 重点关注 — with
links to the risk list and to 心理辅导记录."""

from __future__ import annotations

import streamlit as st

from components import page_links
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.actor import Actor
from services.care.counselling import high_risk_child_ids
from services.compliance.risk import risk_list
from services.records.children import child_labels


def show(actor: Actor) -> None:
    with read_session(ready_engine()) as session:
        ids = high_risk_child_ids(session, actor)
        names = child_labels(session, actor, ids=sorted(ids)) if ids else {}
        at_risk = len(risk_list(session, actor))
    st.subheader(t("daily.home.counsellor_title"))
    with st.container(border=True):
        st.markdown(f"**{t('daily.home.follow_ups')}**")
        if not names:
            st.caption(t("daily.home.follow_ups_none"))
        for child_id, label in names.items():
            page_links.child_link(child_id, label)
        page_links.link(
            page_links.COUNSELLING_PAGE, t("daily.home.open_counselling"), icon=":material/edit:"
        )
    with st.container(border=True):
        st.markdown(f"**{t('daily.home.risk_children', n=at_risk)}**")
        page_links.link(
            page_links.RISK_PAGE, t("daily.home.open_risk"), icon=":material/priority_high:"
        )
