"""The audit log's filters (who / what / which record / when), its two audited exports, and the
administrator's check of the log's hash chain (操作日志完整性)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from components import download, feedback, filters
from components.context import ready_engine
from db.engine import write_session
from db.enums import AuditAction, Role
from locales import enum_label, t
from services.actor import Actor
from services.audit import ChainCheck
from services.ops import audit_sentences
from services.ops.audit_log import (
    AuditFilter,
    export_audit_entries,
    local_today,
    verify_audit_chain,
)


def audit_filter(entities: list[str]) -> AuditFilter:
    """Two rows of filters; the last 30 days by default."""
    top = st.columns([1.2, 2, 1.2, 0.8])
    username = top[0].text_input(t("accounts.filter_who"), key="audit.who")
    actions = top[1].multiselect(
        t("accounts.filter_what"),
        list(AuditAction),
        format_func=enum_label,
        key="audit.what",
        placeholder=t("accounts.any"),
    )
    entity = top[2].selectbox(
        t("accounts.filter_entity"),
        ["", *entities],
        format_func=lambda e: audit_sentences.entity_label(e) if e else t("accounts.any"),
        key="audit.entity",
        placeholder=filters.choose(),
    )
    entity_id = top[3].number_input(
        t("accounts.filter_entity_id"), min_value=1, value=None, step=1, key="audit.entity_id"
    )
    bottom = st.columns([1, 1, 1, 2])
    today = local_today()
    date_from = bottom[0].date_input(
        t("accounts.filter_from"), today - timedelta(days=30), key="audit.from"
    )
    date_to = bottom[1].date_input(t("accounts.filter_to"), today, key="audit.to")
    only_failures = bottom[2].checkbox(t("accounts.filter_failures"), key="audit.failures")
    return AuditFilter(
        username=username,
        actions=tuple(actions),
        entity=entity,
        entity_id=int(entity_id) if entity_id else None,
        date_from=date_from,
        date_to=date_to,
        only_failures=only_failures,
    )


def export_buttons(actor: Actor, flt: AuditFilter, disabled: bool) -> None:
    """CSV and Excel downloads of the filtered entries, built on click only, so each download
    writes exactly one audit row."""

    def export(fmt: str) -> bytes:
        with write_session(ready_engine()) as session:
            return export_audit_entries(session, actor, flt, fmt)

    stamp = f"{flt.date_from:%Y%m%d}-{flt.date_to:%Y%m%d}"
    for column, fmt in zip(st.columns(2), ("csv", "xlsx"), strict=True):
        file_name = f"audit-log-{stamp}.{fmt}"
        column.download_button(
            t(f"accounts.export_{fmt}"),
            data=lambda fmt=fmt: export(fmt),
            file_name=file_name,
            mime=download.mime_of(file_name),
            on_click="ignore",
            icon=":material/download:",
            key=f"audit.export.{fmt}",
            disabled=disabled,
        )


def integrity_check(actor: Actor) -> None:
    """操作日志完整性, for administrators: walk the whole chain on request (it reads every
    entry) and say where it first breaks."""
    if actor.role != Role.ADMIN:
        return
    with st.expander(t("accounts.integrity_title")):
        st.caption(t("accounts.integrity_help"))
        if st.button(t("accounts.integrity_check"), key="audit.integrity"):
            show_chain_check(feedback.load_or_stop(lambda s: verify_audit_chain(s, actor)))


def show_chain_check(report: ChainCheck) -> None:
    if report.ok and report.head_id is None:
        st.success(t("accounts.integrity_empty"))
    elif report.ok:
        st.success(
            t(
                "accounts.integrity_ok",
                checked=report.checked,
                head_id=report.head_id,
                head_hash=(report.head_hash or "")[:16],
            )
        )
    else:
        reason = report.reason
        if reason == "link" and report.previous_id is None:
            reason = "link_first"  # entries before the oldest one left were removed
        st.error(
            t(
                f"accounts.integrity_broken.{reason}",
                id=report.broken_id,
                previous=report.previous_id,
                checked=report.checked,
            )
        )
