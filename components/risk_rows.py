"""重点关注 as a list made for action: one row per child — the name opens 一人一档 — and beside
each reason the action that answers it (记录联系 for a child not contacted, 安排结对 for an unpaired
key child), for the roles that may take it."""

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

CONTACT_REASONS = ("no_contact_2m",)
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
        for code in row.reasons:
            _reason(why, int(row.child_id), code, actor)


def _reason(where: Any, child_id: int, code: str, actor: Any) -> None:
    text, action = where.columns([3, 2], vertical_alignment="center")
    text.markdown(t(f"risk.reason.{code}"))
    if code in CONTACT_REASONS and actor.role in contacts.EDITORS:
        if action.button(t("daily.risk.log_contact"), key=f"risk.log.{child_id}"):
            st.session_state[PREFILL_KEY] = {
                "child_id": child_id,
                "counterpart": Counterpart.GUARDIAN.value,
                "channel": ContactChannel.PHONE.value,
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
