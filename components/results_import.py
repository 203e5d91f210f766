"""导入成绩表 on the 成绩录入 page: the class's sheet to fill in, the upload, the columns, the dry
run and the all-or-nothing import of the class and term picked above.

The steps are the roster import's (components/roster_import.py: the uploader, the per-upload
state, the column choices, the problem list and its error sheet); the state is kept per class
and term, so choosing another class starts again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.context import ready_engine
from components.roster_import import (
    column_mapping,
    planned,
    read_sheet,
    state_for,
    stop_unless_changes,
    submit_import,
    upload_step,
    written,
)
from db.engine import read_session
from locales import t
from services.actor import Actor
from services.importing.plan import ImportResult
from services.importing.results import (
    ResultsImport,
    ResultsPlan,
    apply_results_import,
    plan_results_import,
)
from services.importing.results_preview import results_plan_frame
from services.importing.results_sheet import (
    RESULT_FIELDS,
    read_results_sheet,
    suggest_results_mapping,
)
from services.importing.results_template import results_template, template_file_name

STATE_KEY = "results_import_state"
TEXTS = "growth_results.import"


def show(actor: Actor, classroom_id: int, term_id: int) -> None:
    """The whole import; the last thing on the page (its steps stop the run when they must)."""
    with read_session(ready_engine()) as session:
        sheet_bytes = results_template(session, actor, classroom_id, term_id)
        name = template_file_name(session, classroom_id)
    upload = upload_step(TEXTS, sheet_bytes, name, "results")
    if upload is None:
        return
    state = state_for(upload, f"{STATE_KEY}.{classroom_id}.{term_id}")
    finished(state)
    sheet = read_sheet(upload, state, read_results_sheet)
    mapping = column_mapping(
        sheet, upload.file_id, RESULT_FIELDS, suggest_results_mapping,
        "growth_results.field", "results_map",
    )  # fmt: skip
    request = ResultsImport(actor, sheet, mapping, classroom_id, term_id)
    plan = dry_run(request, state)
    import_button(request, plan, state)


def finished(state: dict[str, Any]) -> None:
    """Once this file is imported: its summary only."""
    result: ImportResult | None = written(state, TEXTS)
    if result is None:
        return
    st.success(t(f"{TEXTS}.done", inserted=result.inserted, updated=result.updated))
    st.stop()


def dry_run(request: ResultsImport, state: dict[str, Any]) -> ResultsPlan:
    """Each child's results as they will be; stops on problems or when nothing would change."""
    st.subheader(t("import.preview"))
    plan: ResultsPlan = planned(
        state,
        tuple(request.mapping.items()),
        lambda session: plan_results_import(session, request),
        f"{TEXTS}.not_allowed",
    )
    stop_unless_changes(plan, "results_plan_errors", TEXTS)
    st.write(t(f"{TEXTS}.summary", **plan.counts(), subjects="、".join(plan.subjects)))
    st.dataframe(results_plan_frame(plan), hide_index=True, width="stretch")
    return plan


def import_button(request: ResultsImport, plan: ResultsPlan, state: dict[str, Any]) -> None:
    """确认导入成绩: every result or none, only if nothing changed since the dry run."""
    if not st.button(t(f"{TEXTS}.run"), type="primary", key="results_run"):
        return
    submit_import(
        state,
        lambda session: apply_results_import(session, request, plan.signature()),
        "results_apply_errors",
        TEXTS,
    )
