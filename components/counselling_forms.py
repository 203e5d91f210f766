"""心理辅导记录 forms: class-then-child choice, editing or deleting a listed note, writing a new
one. Every write goes through feedback.submit (one transaction, one message)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import feedback, filters
from components.context import ready_engine
from db.engine import read_session
from db.enums import RiskLevel
from locales import enum_label, t
from locales.values import aside
from services.actor import Actor
from services.care import counselling
from services.clock import school_today

LEVELS = [m.value for m in RiskLevel]


def pick_child(actor: Actor, rooms: dict[int, str], key: str, allow_all: bool) -> int | None:
    """Class, then child of that class; None = every child (when allowed) or no child there."""
    left, right = st.columns(2)
    room_options = {None: t("counselling.filter.all_classes"), **rooms} if allow_all else rooms
    room = filters.pick(
        t("counselling.filter.classroom"), room_options, key=f"{key}.classroom", where=left
    )
    with read_session(ready_engine()) as session:
        kids = counselling.note_children(session, actor, room) if room else {}
    options = {None: t("counselling.filter.all_children"), **kids} if allow_all else kids
    if not options:
        right.caption(t("counselling.no_children"))
        return None
    return filters.pick(t("counselling.filter.child"), options, key=f"{key}.child", where=right)


def edit_note(actor: Actor, notes: pd.DataFrame) -> None:
    """An expander: pick one of the listed notes, change or delete it (version-checked)."""
    with st.expander(t("counselling.edit")):
        labels = {
            int(r.id): f"{r.note_date} {aside(r.child, enum_label(RiskLevel(r.risk_level)))}"
            for r in notes.itertuples()
        }
        note_id = filters.pick(t("counselling.pick_note"), labels, key="counselling.pick")
        row = notes.set_index("id").loc[note_id]
        with st.form(f"counselling.edit.{note_id}.{row['version']}"):
            day = st.date_input(t("counselling.col.note_date"), row["note_date"])
            level = st.selectbox(
                t("counselling.col.risk_level"),
                LEVELS,
                index=LEVELS.index(row["risk_level"]),
                format_func=lambda v: enum_label(RiskLevel(v)),
                placeholder=filters.choose(),
            )
            text = st.text_area(t("counselling.col.summary"), row["summary"])
            save_col, delete_col = st.columns(2)
            save = save_col.form_submit_button(t("counselling.save"), type="primary")
            delete = delete_col.form_submit_button(t("counselling.delete"))
        item = counselling.NoteInput(int(row["child_id"]), day, text, level)
        version = int(row["version"])
        if save:
            feedback.submit(
                lambda s: counselling.update_note(s, actor, note_id, version, item),
                success=t("counselling.saved"),
            )
        if delete:
            feedback.submit(
                lambda s: counselling.delete_note(s, actor, note_id, version),
                success=t("counselling.deleted"),
            )


def new_note(actor: Actor, rooms: dict[int, str]) -> None:
    """Class, child, then the note's date, risk level and summary."""
    child_id = pick_child(actor, rooms, "counselling.new", allow_all=False)
    with st.form("counselling.new.form", clear_on_submit=True):
        day = st.date_input(
            t("counselling.col.note_date"), school_today(), max_value=school_today()
        )
        level = st.selectbox(
            t("counselling.col.risk_level"),
            LEVELS,
            format_func=lambda v: enum_label(RiskLevel(v)),
            placeholder=filters.choose(),
        )
        text = st.text_area(t("counselling.col.summary"))
        submitted = st.form_submit_button(t("counselling.save"), type="primary")
    if submitted and child_id is not None:
        item = counselling.NoteInput(child_id, day, text, level)
        feedback.submit(
            lambda s: counselling.create_note(s, actor, item), success=t("counselling.saved")
        )
