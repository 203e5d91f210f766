"""The staff import page's steps: username choice, columns, the dry run, the import, and the
summary with the slips download that stays once it is done.

Reading the upload, the per-upload state and the problem list are the roster import's
(components/roster_import.py). One-time passwords are hashed before the write transaction
(bcrypt is slow on purpose), and the slips are built, and audited, only when downloaded.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components import download
from components.context import ready_engine
from components.roster_import import (
    ColumnMapping,
    column_mapping,
    moves,
    planned,
    stop_unless_changes,
    submit_import,
    written,
)
from components.safe_text import md
from db.engine import read_session, write_session
from locales import current_language, set_language, t
from services.actor import Actor
from services.importing.parsing import RawSheet
from services.importing.staff import (
    StaffImportResult,
    StaffPlan,
    apply_staff_import,
    plan_staff_import,
)
from services.importing.staff_preview import staff_plan_frame
from services.importing.staff_slips import export_slips, slips_file_name
from services.importing.staff_values import STAFF_FIELDS, UsernameFrom, suggest_staff_mapping
from services.importing.staff_writer import issue_secrets

STATE_KEY = "staff_import_state"


def finished(actor: Actor, state: dict[str, Any]) -> None:
    """Once this file is imported: the summary, the next steps, the slips; nothing else."""
    result: StaffImportResult | None = written(state, "staff")
    if result is None:
        return
    done = "staff.done" if result.slips else "staff.done_updated_only"
    st.success(t(done, inserted=result.inserted, updated=result.updated))
    if result.new_classrooms:
        st.info(md("import.done_classrooms", names="、".join(result.new_classrooms)))
    if result.slips:
        slips_download(actor, result)
        st.warning(t("staff.slips_warning"))
    st.stop()


def slips_download(actor: Actor, result: StaffImportResult) -> None:
    """The slips PDF, built and audited when the button is pressed."""
    language = current_language()  # the click runs outside this script run

    def build() -> bytes:
        set_language(language)
        with write_session(ready_engine()) as session:
            return export_slips(session, actor, result.slips)

    with read_session(ready_engine()) as session:
        name = slips_file_name(session, actor)
    download.show(t("staff.slips_download"), build, name, "staff_slips", primary=True)


def username_choice() -> UsernameFrom:
    options = list(UsernameFrom)
    return st.radio(
        t("staff.username_from"),
        options,
        format_func=lambda o: t(f"staff.username_from.{o.value}"),
        horizontal=True,
        key="staff_username_from",
    )


def staff_columns(sheet: RawSheet, file_id: str) -> ColumnMapping:
    return column_mapping(
        sheet, file_id, STAFF_FIELDS, suggest_staff_mapping, "staff.field", "staff_map"
    )


def dry_run(
    actor: Actor,
    sheet: RawSheet,
    mapping: ColumnMapping,
    username_from: UsernameFrom,
    state: dict[str, Any],
) -> StaffPlan:
    """The accounts as they will be; stops on problems, on an empty file, or when nothing
    would change."""
    st.subheader(t("import.preview"))
    plan: StaffPlan = planned(
        state,
        (tuple(mapping.items()), username_from),
        lambda session: plan_staff_import(session, actor, sheet, mapping, username_from),
        "import.not_allowed",
    )
    stop_unless_changes(plan, "staff_plan_errors", "staff")
    st.write(t("staff.summary", **plan.counts()))
    if plan.new_classrooms:
        st.info(md("import.new_classrooms", names="、".join(plan.new_classrooms.values())))
    # height "auto": a few rows exactly (no sliver of an empty row), at most ten, then a scroll
    st.dataframe(staff_plan_frame(plan), hide_index=True, width="stretch")
    return plan


def import_button(
    actor: Actor,
    sheet: RawSheet,
    mapping: ColumnMapping,
    username_from: UsernameFrom,
    plan: StaffPlan,
    state: dict[str, Any],
) -> None:
    """确认导入: every account or none, only if nothing changed since the dry run."""
    if not st.button(t("staff.run"), type="primary", key="staff_run"):
        return
    bar = st.progress(0.0)
    secrets = issue_secrets(plan.count("insert"), progress=moves(bar))
    submit_import(
        state,
        lambda session: apply_staff_import(
            session, actor, sheet, mapping, plan.signature(), username_from, secrets, moves(bar)
        ),
        "staff_apply_errors",
        "staff",
    )
