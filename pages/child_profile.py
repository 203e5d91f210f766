"""一人一档: one child's archive card, history, pairing, contacts, activities, health checks, aid,
and (for counsellor/principal/admin, audited) counselling notes; quick actions to log or edit."""

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import ActivityType, AidKind, ContactChannel, Counterpart, LeftBehindType, RiskLevel
from locales import enum_label, t
from services.care import profile
from services.errors import NotAllowed, NotFound
from services.records import children, contacts
from services.records.child_columns import CHILD_COLUMNS, GROUPS

SELECTED_KEY = "profile.child_id"  # set by other pages to open a child here
ENUMS = {
    "left_behind_type": LeftBehindType,
    "channel": ContactChannel,
    "counterpart": Counterpart,
    "activity_type": ActivityType,
    "kind": AidKind,
    "risk_level": RiskLevel,
}


def shown(value: Any, spec: Any = None) -> str:
    """One archive value as text."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return t("profile.yes") if value else t("profile.no")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "、".join(spec.option_label(v) for v in value) if spec else "、".join(value)
    if spec is not None and spec.options and spec.option_prefix:
        return spec.option_label(value)
    return str(value)


def table(frame: pd.DataFrame, prefix: str = "profile.col.") -> None:
    if frame.empty:
        st.caption(t("profile.empty"))
        return
    out = frame.copy()
    for column, enum_cls in ENUMS.items():
        if column in out:
            out[column] = [enum_label(v, enum_cls) if v else "" for v in out[column]]
    if "flags" in out:
        out["flags"] = ["、".join(t(f) for f in flags) for flags in out["flags"]]
    labels = {c: t(f"{prefix}{c}") for c in out.columns}
    labels = {
        c: (label if label != f"{prefix}{c}" else t(f"profile.col.{c}"))
        for c, label in labels.items()
    }
    st.dataframe(out.rename(columns=labels), hide_index=True, width="stretch")


actor = current_actor()
engine = ready_engine()
st.title(t("profile.title"))

with read_session(engine) as session:
    choices = children.child_labels(session, actor, enrolled_only=False)
if not choices:
    st.info(t("profile.none"))
    st.stop()
ids = list(choices)
wanted = st.session_state.get(SELECTED_KEY)
child_id = st.selectbox(
    t("profile.pick"), ids, format_func=choices.get,
    index=ids.index(wanted) if wanted in ids else 0, key="profile.picker",
)  # fmt: skip
st.session_state[SELECTED_KEY] = child_id

try:
    with read_session(engine) as session:
        card = profile.child_profile(session, actor, child_id)
except (NotAllowed, NotFound):
    st.error(t("profile.not_allowed"))
    st.stop()

st.subheader(
    t("profile.heading", name=card.name, classroom=card.classroom or "", student_no=card.student_no)
)
if card.archive.get("is_key"):
    st.markdown(f":red-badge[{t('profile.key_child')}]")
if card.missing:
    labels = "、".join(t(f"children.col.{f}") for f in card.missing)
    st.warning(t("profile.missing", fields=labels))
else:
    st.success(t("profile.complete"))

log_col, edit_col, _ = st.columns([1, 1, 3])
if actor.role in contacts.EDITORS and log_col.button(t("profile.log_contact"), type="primary"):
    st.session_state["contacts.child_id"] = child_id
    st.switch_page("pages/contacts.py")
if actor.role in children.EDITORS and edit_col.button(t("profile.edit")):
    st.session_state["children.filters.search"] = card.student_no
    st.switch_page("pages/children.py")

names = ["archive", "history", "pairings", "contacts", "activities", "health"]
names += ["aid"] if card.aid is not None else []
names += ["notes"] if card.may_read_notes else []
tabs = dict(zip(names, st.tabs([t(f"profile.tab.{n}") for n in names]), strict=True))

with tabs["archive"]:
    specs = {s.field: s for s in CHILD_COLUMNS}
    for group in GROUPS:
        fields = [f for f in card.archive if specs[f].group == group]
        st.markdown(f"**{t(f'children.group.{group}')}**")
        columns = st.columns(3)
        for i, name in enumerate(fields):
            columns[i % 3].markdown(
                f"{specs[name].label}：{shown(card.archive[name], specs[name])}"
            )
with tabs["history"]:
    table(card.history)
with tabs["pairings"]:
    table(card.pairings)
with tabs["contacts"]:
    table(card.contacts)
with tabs["activities"]:
    table(card.activities)
with tabs["health"]:
    table(card.health_checks.drop(columns=["check_id"], errors="ignore"), prefix="health.col.")
if "aid" in tabs:
    with tabs["aid"]:
        table(card.aid)
if "notes" in tabs:
    with tabs["notes"]:
        st.caption(t("profile.notes.warning"))
        if st.toggle(t("profile.notes.show"), key=f"profile.notes.{child_id}"):
            with write_session(engine) as session:  # the view is audited in this transaction
                notes = profile.counselling_notes(session, actor, child_id)
            table(notes[["note_date", "counsellor", "risk_level", "summary"]])
