"""重点关注 as a list made for action: one row per child — the name opens 一人一档 — and beside
each reason (in the service's words) the action that answers it (记录联系 for a child not
contacted, 记录谈心 for a child whose results or observation fell, 安排结对 for an unpaired key
child), for the roles that may take it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components import page_links
from components.contact_form import PREFILL_KEY
from components.safe_text import escape_md
from db.enums import ContactChannel, Counterpart, LeftBehindType
from locales import enum_label, t
from services.records import contacts, pairings

# reason → the contact the form is preset with
CONTACT_REASONS = {
    "no_contact_2m": (Counterpart.GUARDIAN, ContactChannel.PHONE, "daily.risk.log_contact"),
    "growth_fall": (Counterpart.CHILD, ContactChannel.MEETING, "growth_warning.risk.log_talk"),
}
PAIRING_REASONS = ("key_unpaired",)


def show(rows: pd.DataFrame, actor: Any, limit: int) -> None:
    """The first `limit` children of the risk list, each as a bordered row."""
    for row in rows.head(limit).itertuples():
        _child(row, actor)
    if len(rows) > limit:
        st.caption(t("daily.risk.more", n=limit))


def _child(row: Any, actor: Any) -> None:
    with st.container(border=True):
        who, why = st.columns([2, 3], vertical_alignment="center")
        page_links.child_link(int(row.child_id), row.child_name, where=who)
        facts = [
            escape_md(row.classroom_name or ""),
            enum_label(row.left_behind_type, LeftBehindType) if row.left_behind_type else "",
        ]
        if row.is_key:
            facts.append(f":red-badge[{t('risk.col.key')}]")
        last = row.last_contact if isinstance(row.last_contact, str) else None
        if last is None and row.last_contact is not None and not pd.isna(row.last_contact):
            last = str(row.last_contact)
        facts.append(f"{t('risk.col.last_contact')} {last or '—'}")
        who.caption(" · ".join(f for f in facts if f))
        for code, label in zip(row.reasons, row.reason_labels, strict=True):
            _reason(why, int(row.child_id), code, label, actor)


def _reason(where: Any, child_id: int, code: str, label: str, actor: Any) -> None:
    text, action = where.columns([3, 2], vertical_alignment="center")
    text.markdown(escape_md(label))
    if code in CONTACT_REASONS and actor.role in contacts.EDITORS:
        counterpart, channel, button = CONTACT_REASONS[code]
        if action.button(t(button), key=f"risk.log.{code}.{child_id}"):
            st.session_state[PREFILL_KEY] = {
                "child_id": child_id,
                "counterpart": counterpart.value,
                "channel": channel.value,
            }
            page_links.open_page(page_links.CONTACTS_PAGE)
    elif code in PAIRING_REASONS and actor.role in pairings.ASSIGNERS:
        page_links.link(
            page_links.PAIRINGS_PAGE,
            t("daily.risk.arrange_pairing"),
            {page_links.CHILD_PARAM: str(child_id)},
            icon=":material/handshake:",
            where=action,
        )
