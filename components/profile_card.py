"""一人一档 pieces: the child picker, the heading with what the archive lacks, and one tab per kind
of record (the archive card, history, pairings, contacts, activities, health checks, the growth
record, aid, and the audited counselling notes for the roles that may read them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from components import filters, growth_profile, page_links, tables
from components.context import ready_engine
from components.safe_text import escape_md, md
from db.engine import write_session
from db.enums import ActivityType, AidKind, ContactChannel, Counterpart, LeftBehindType, RiskLevel
from locales import enum_label, t
from locales.values import labelled, value_label
from services.actor import Actor
from services.care.profile import ChildProfile, counselling_notes
from services.records.child_columns import CHILD_COLUMNS, GROUPS
from services.records.specs import ColumnSpec

SELECTED_KEY = "profile.child_id"  # set by other pages to open a child here
PICKER_KEY = "profile.picker"
ENUMS = {
    "left_behind_type": LeftBehindType,
    "channel": ContactChannel,
    "counterpart": Counterpart,
    "activity_type": ActivityType,
    "kind": AidKind,
    "risk_level": RiskLevel,
}
PARENTS = ("father", "mother")
RECORD_TABS = ("history", "pairings", "contacts", "activities", "health", "aid")
GROWTH_AFTER = "health"  # the 成长记录 tab follows the health checks


def choose_child(choices: dict[int, str], wanted: int | None = None) -> int:
    """The child picker, on `wanted` (from the address), else the child another page asked for
    or the one shown last. The address follows the picker, so it can be shared."""
    ids = list(choices)
    if wanted not in ids:
        wanted = st.session_state.get(SELECTED_KEY)
    if wanted in ids and st.session_state.get(PICKER_KEY) != wanted:
        st.session_state[PICKER_KEY] = wanted
    elif st.session_state.get(PICKER_KEY) not in ids:
        st.session_state[PICKER_KEY] = ids[0]
    child_id = st.selectbox(
        t("profile.pick"), ids, format_func=choices.get, key=PICKER_KEY,
        placeholder=filters.choose(),
        on_change=lambda: page_links.show_child_in_url(st.session_state[PICKER_KEY]),
    )  # fmt: skip
    st.session_state[SELECTED_KEY] = child_id
    page_links.show_child_in_url(child_id)
    return child_id


def heading(card: ChildProfile) -> None:
    """Name, class and 学籍号; the key-child badge; what the archive still lacks."""
    st.subheader(
        md("profile.heading", name=card.name, classroom=card.classroom, student_no=card.student_no)
    )
    if card.archive.get("is_key"):
        st.markdown(f":red-badge[{t('profile.key_child')}]")
    if card.missing:
        labels = "、".join(t(f"children.col.{f}") for f in card.missing)
        st.warning(t("profile.missing", fields=labels))
    else:
        st.success(t("profile.complete"))


def tabs(card: ChildProfile, actor: Actor) -> None:
    """One tab per kind of record; aid and notes only for the roles that may see them."""
    frames = {
        "history": card.history,
        "pairings": card.pairings,
        "contacts": card.contacts,
        "activities": card.activities,
        "health": card.health_checks.drop(columns=["check_id"], errors="ignore"),
        "aid": card.aid,
    }
    names = ["archive", *(n for n in RECORD_TABS if frames[n] is not None)]
    names.insert(names.index(GROWTH_AFTER) + 1, "growth")
    names += ["notes"] if card.may_read_notes else []
    shown = dict(zip(names, st.tabs([t(f"profile.tab.{n}") for n in names]), strict=True))
    with shown["archive"]:
        _archive(card)
    for name in RECORD_TABS:
        if name in shown:
            with shown[name]:
                _table(frames[name], prefix="health.col." if name == "health" else "profile.col.")
    with shown["growth"]:
        growth_profile.show(card.growth, key=f"profile.growth.{card.child_id}")
    if "notes" in shown:
        with shown["notes"]:
            _notes(card.child_id, actor)


def _archive(card: ChildProfile) -> None:
    """The archive in blocks: the child, father, mother, guardian, then study/health and key
    child — each block whole, two to a row on a wide screen, one after another on a phone."""
    specs = {s.field: s for s in CHILD_COLUMNS}
    blocks = [(name, fields) for name, fields in _blocks(card, specs) if fields]
    for row in range(0, len(blocks), 2):
        for column, (name, fields) in zip(st.columns(2), blocks[row : row + 2], strict=False):
            with column.container(border=True):
                lines = [f"**{t(f'daily.profile.block.{name}')}**"]
                lines += [
                    labelled(specs[f].label, escape_md(_text(card.archive[f], specs[f])))
                    for f in fields
                ]
                st.markdown("  \n".join(lines))


def _blocks(card: ChildProfile, specs: dict[str, ColumnSpec]) -> list[tuple[str, list[str]]]:
    """(block, fields in archive order): the column groups, the parents' split by parent."""
    out: list[tuple[str, list[str]]] = []
    for group in GROUPS:
        fields = [f for f in card.archive if specs[f].group == group]
        if group == "parents":
            out += [(who, [f for f in fields if f.startswith(f"{who}_")]) for who in PARENTS]
        else:
            out.append((group, fields))
    return out


def _notes(child_id: int, actor: Actor) -> None:
    st.caption(t("profile.notes.warning"))
    if st.toggle(t("profile.notes.show"), key=f"profile.notes.{child_id}"):
        with write_session(ready_engine()) as session:  # the view is audited in this transaction
            notes = counselling_notes(session, actor, child_id)
        _table(notes[["note_date", "counsellor", "risk_level", "summary"]])


def _text(value: Any, spec: ColumnSpec | None = None) -> str:
    """One archive value as text."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return t("profile.yes") if value else t("profile.no")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        items = [spec.option_label(v) for v in value] if spec else value
        return t("common.list_separator").join(items)
    if spec is not None and spec.options and spec.option_prefix:
        return spec.option_label(value)
    return value_label(value)  # 外祖母 → maternal grandmother in English


def _table(frame: pd.DataFrame, prefix: str = "profile.col.") -> None:
    """A record table: enum codes as labels, headers from `prefix` (else profile.col.)."""
    if frame.empty:
        st.caption(t("profile.empty"))
        return
    out = frame.copy()
    for column, enum_cls in ENUMS.items():
        if column in out:
            out[column] = [enum_label(v, enum_cls) if v else "" for v in out[column]]
    if "flags" in out:
        out["flags"] = [
            t("common.list_separator").join(t(f) for f in flags) for flags in out["flags"]
        ]
    labels = {c: t(f"{prefix}{c}") for c in out.columns}
    labels = {
        c: (label if label != f"{prefix}{c}" else t(f"profile.col.{c}"))
        for c, label in labels.items()
    }
    tables.show(out, labels, rename=True)


def open_button(page: pd.DataFrame, key: str, names: dict[int, str] | None = None) -> None:
    """Under a list of children: pick one and open their 一人一档 (at `?child=<id>`). `names`
    (id → label) when the rows are not children with `id` and `name` (contacts, activities)."""
    if page.empty:
        return
    if names is None:
        names = dict(zip(page["id"], page["name"], strict=True))
    if not names:
        return
    pick_col, open_col = st.columns([3, 1], vertical_alignment="bottom")
    picked = filters.pick(
        t("children.open_profile"), names, key=f"{key}.profile_pick", where=pick_col
    )
    if open_col.button(t("children.open_profile"), key=f"{key}.open_profile"):
        st.session_state[SELECTED_KEY] = int(picked)
        page_links.open_page(page_links.PROFILE_PAGE, {page_links.CHILD_PARAM: str(int(picked))})
