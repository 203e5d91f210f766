"""The "recently deleted" expander under a grid: the soft-deleted rows and a restore action.

    deleted_rows.show("children", actor, children.list_deleted_children, children.restore_children)

The services refuse roles that may not restore; a restore reloads the grid of the same key.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components import feedback, filters, grid
from components.context import ready_engine
from components.grid_state import ID
from db.engine import read_session
from locales import t
from services.actor import Actor


def show(
    key: str,
    actor: Actor,
    list_deleted: Callable[[Session, Actor], pd.DataFrame],
    restore: Callable[[Session, Actor, list[int]], int],
    label_field: str = "name",
) -> None:
    """The expander: what was deleted, a choice of rows and 恢复 (one transaction)."""
    with st.expander(t("grid.deleted.title")):
        with read_session(ready_engine()) as session:
            frame = list_deleted(session, actor)
        if frame.empty:
            st.caption(t("grid.deleted.none"))
            return
        st.dataframe(frame, hide_index=True, width="stretch")
        labels = {int(r[ID]): f"{r[label_field]} (#{int(r[ID])})" for _, r in frame.iterrows()}
        chosen = st.multiselect(
            t("grid.deleted.choose"),
            list(labels),
            format_func=labels.get,
            key=f"{key}.restore_ids",
            placeholder=filters.choose_many(),
        )
        if st.button(t("grid.deleted.restore"), key=f"{key}.restore", disabled=not chosen):
            count = feedback.submit(lambda session: restore(session, actor, chosen), rerun=False)
            if count is not feedback.FAILED:
                grid.reset(key, notice=t("grid.deleted.restored", count=count))
                st.rerun()
