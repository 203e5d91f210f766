"""操作日志 (admin, principal): filter who / what / when / which record, and export (audited)."""

from datetime import timedelta

import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import AuditAction
from locales import enum_label, t
from services.ops.audit_log import (
    COLUMNS,
    AuditFilter,
    export_audit_entries,
    list_audit_entries,
    list_entities,
    local_today,
)

actor = current_actor()
engine = ready_engine()
st.title(t("accounts.audit_title"))
st.caption(t("accounts.audit_caption"))

with read_session(engine) as session:
    entities = list_entities(session, actor)

top = st.columns([1.2, 2, 1.2, 0.8])
username = top[0].text_input(t("accounts.filter_who"), key="audit.who")
actions = top[1].multiselect(
    t("accounts.filter_what"), list(AuditAction), format_func=enum_label, key="audit.what"
)
entity = top[2].selectbox(
    t("accounts.filter_entity"),
    ["", *entities],
    format_func=lambda e: e or t("accounts.any"),
    key="audit.entity",
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

flt = AuditFilter(
    username=username,
    actions=tuple(actions),
    entity=entity,
    entity_id=int(entity_id) if entity_id else None,
    date_from=date_from,
    date_to=date_to,
    only_failures=only_failures,
)
with read_session(engine) as session:
    page = list_audit_entries(session, actor, flt)

if page.total == 0:
    st.info(t("accounts.audit_empty"))
else:
    st.caption(t("accounts.audit_count", total=page.total, shown=len(page.rows)))
    st.dataframe(
        page.rows.rename(columns={c: t(f"accounts.col.{c}") for c in COLUMNS}),
        hide_index=True,
        width="stretch",
    )


def export(fmt: str) -> bytes:
    """Built on click only, so each download writes exactly one audit row."""
    with write_session(engine) as session:
        return export_audit_entries(session, actor, flt, fmt)


stamp = f"{date_from:%Y%m%d}-{date_to:%Y%m%d}"
left, right = st.columns(2)
for column, fmt, label, mime in (
    (left, "csv", "accounts.export_csv", "text/csv"),
    (
        right,
        "xlsx",
        "accounts.export_xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
):
    column.download_button(
        t(label),
        data=lambda fmt=fmt: export(fmt),
        file_name=f"audit-log-{stamp}.{fmt}",
        mime=mime,
        on_click="ignore",
        icon=":material/download:",
        key=f"audit.export.{fmt}",
        disabled=page.total == 0,
    )
