"""操作日志 (admin, principal): filter who / what / when / which record, and export (audited)."""

import streamlit as st

from components import audit_filters, feedback, tables
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.ops.audit_log import SHOWN, list_audit_entries, list_entities

actor = feedback.page_start(t("accounts.audit_title"), t("accounts.audit_caption"))
with read_session(ready_engine()) as session:
    entities = list_entities(session, actor)
flt = audit_filters.audit_filter(entities)
with read_session(ready_engine()) as session:
    page = list_audit_entries(session, actor, flt)

if page.total == 0:
    st.info(t("accounts.audit_empty"))
else:
    st.caption(t("accounts.audit_count", total=page.total, shown=len(page.rows)))
    labels = {c: t(f"accounts.col.{c}") for c in SHOWN}
    tables.show(page.rows, labels, rename=True, widths={"sentence": "large"})
audit_filters.export_buttons(actor, flt, disabled=page.total == 0)
audit_filters.integrity_check(actor)
