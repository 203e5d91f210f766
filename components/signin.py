"""The sign-in panel: one checkbox per child, grouped by class, with 全选本班 and one save.

Checkboxes (not a data grid) so that a whole class is ticked with one click on a phone, and so
that the panel can be driven by AppTest. Keys: `signin.<activity>.<child>` per child,
`signin.<activity>.class.<classroom>` per 全选本班.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import feedback
from components.safe_text import escape_md, md
from locales import t
from services.actor import Actor
from services.care.signin_sheet import save_signin

NOTICE_KEY = "signin.notice"


def child_key(activity_id: int, child_id: int) -> str:
    return f"signin.{activity_id}.{child_id}"


def class_key(activity_id: int, classroom_id: int) -> str:
    return f"signin.{activity_id}.class.{classroom_id}"


def _tick_class(activity_id: int, classroom_id: int, child_ids: list[int]) -> None:
    value = st.session_state[class_key(activity_id, classroom_id)]
    for child_id in child_ids:
        st.session_state[child_key(activity_id, child_id)] = value


def _sync_class(activity_id: int, classroom_id: int, child_ids: list[int]) -> None:
    everyone = all(st.session_state.get(child_key(activity_id, c)) for c in child_ids)
    st.session_state[class_key(activity_id, classroom_id)] = everyone


def _forget(activity_id: int) -> None:
    """Drop the widgets' state so the next run starts from what the database holds."""
    prefix = f"signin.{activity_id}."
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


@st.fragment
def show(activity_id: int, roster: pd.DataFrame, actor: Actor) -> None:
    """Render the roster of `activity_id` (services.care.signin_sheet.signin_roster) and its save.

    A fragment: ticking a box reruns only this panel, not the page's grid and statistics;
    the save reruns the whole page so that the counts elsewhere follow.
    """
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice)
    st.caption(t("activities.signin.help"))
    mark = t("activities.signin.left_behind_mark")
    for classroom_id, group in roster.groupby("classroom_id", sort=False):
        ids = [int(c) for c in group["child_id"]]
        for row in group.itertuples():
            st.session_state.setdefault(child_key(activity_id, row.child_id), bool(row.attended))
        st.session_state.setdefault(
            class_key(activity_id, int(classroom_id)), bool(group["attended"].all())
        )
        ticked = [st.session_state[child_key(activity_id, c)] for c in ids]
        lb = group["left_behind"].tolist()
        with st.container(border=True):
            st.markdown(f"**{escape_md(group['classroom'].iloc[0])}**")
            st.checkbox(
                t("activities.signin.class_all"),
                key=class_key(activity_id, int(classroom_id)),
                on_change=_tick_class,
                args=(activity_id, int(classroom_id), ids),
            )
            columns = st.columns(4)
            for i, row in enumerate(group.itertuples()):
                name = escape_md(row.name)  # checkbox labels render Markdown
                label = f"{name} :orange[**{mark}**]" if row.left_behind else name
                columns[i % 4].checkbox(
                    label,
                    key=child_key(activity_id, row.child_id),
                    on_change=_sync_class,
                    args=(activity_id, int(classroom_id), ids),
                )
            st.caption(
                md(
                    "activities.signin.class_count",
                    classroom=group["classroom"].iloc[0],
                    ticked=sum(ticked),
                    total=len(ids),
                    lb_ticked=sum(1 for x, y in zip(ticked, lb, strict=True) if x and y),
                    lb_total=sum(lb),
                )
            )
    if st.button(t("activities.signin.save"), type="primary", key=f"signin.{activity_id}.save"):
        chosen = [
            int(c) for c in roster["child_id"] if st.session_state.get(child_key(activity_id, c))
        ]
        result = feedback.submit(
            lambda session: save_signin(session, actor, activity_id, chosen), rerun=False
        )
        if result is feedback.FAILED:
            return
        _forget(activity_id)
        st.session_state[NOTICE_KEY] = t("activities.signin.saved", **vars(result))
        st.rerun(scope="app")
