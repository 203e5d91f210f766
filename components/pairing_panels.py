"""The pairing page's panels: each teacher's load, the unpaired left-behind children (key children
first, as the service sorts them) and the quick pairing form."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components import feedback, filters, tables
from components.safe_text import md
from db.enums import LeftBehindType
from locales import enum_label, t
from locales.values import aside
from services.actor import Actor
from services.records.pairings import assign

HEIGHT = 260  # both tables side by side, the same height
# column -> its header's key under pairings.load. / pairings.unpaired.
LOAD_COLUMNS = {
    "teacher": "teacher",
    "children": "children",
    "key_children": "key_children",
    "over_limit": "over",
}
UNPAIRED_COLUMNS = {
    "name": "name",
    "classroom": "classroom",
    "left_behind_type": "type",
    "is_key": "key",
}


def loads_and_unpaired(loads: pd.DataFrame | None, unpaired: pd.DataFrame) -> None:
    """A warning naming overloaded teachers, then the load table beside the unpaired list;
    `loads` None (a role that does not arrange pairings) shows the unpaired list alone."""
    if loads is None:
        right = st.container()
    else:
        over = loads[loads["over_limit"]]
        if not over.empty:
            st.warning(md("pairings.load.warning", names="、".join(over["teacher"])))
        left, right = st.columns([2, 3])
        left.subheader(t("pairings.load.title"))
        _table(loads, left, "pairings.load", LOAD_COLUMNS)
    right.subheader(t("pairings.unpaired.title", count=len(unpaired)))
    if unpaired.empty:
        right.success(t("pairings.unpaired.none"))
        return
    shown = unpaired.assign(
        left_behind_type=[enum_label(v, LeftBehindType) for v in unpaired["left_behind_type"]]
    )
    _table(shown, right, "pairings.unpaired", UNPAIRED_COLUMNS)


def _table(frame: pd.DataFrame, where: Any, prefix: str, columns: dict[str, str]) -> None:
    """One of the two tables side by side, its headers from `prefix`'s locale keys."""
    labels = {column: t(f"{prefix}.{key}") for column, key in columns.items()}
    tables.show(frame, labels, height=HEIGHT, where=where, rename=True)


def assign_form(
    actor: Actor, term_id: int, teachers: dict[int, str], unpaired: pd.DataFrame
) -> None:
    """Quick pairing: one teacher, several unpaired children, one press."""
    with st.form("pairings.assign", border=True):
        st.markdown(f"**{t('pairings.assign.title')}**")
        labels = {
            int(r.id): ("★ " if r.is_key else "") + aside(r.name, r.classroom)
            for r in unpaired.itertuples()
        }
        teacher_id = st.selectbox(
            t("pairings.assign.teacher"),
            list(teachers),
            format_func=teachers.get,
            placeholder=filters.choose(),
        )
        child_ids = st.multiselect(
            t("pairings.assign.children"),
            list(labels),
            format_func=labels.get,
            placeholder=t("pairings.assign.placeholder"),
        )
        if st.form_submit_button(t("pairings.assign.submit"), type="primary") and child_ids:
            done = md("pairings.assign.done", teacher=teachers[teacher_id], count=len(child_ids))
            feedback.submit(
                lambda session: assign(session, actor, term_id, teacher_id, child_ids),
                success=done,
            )
