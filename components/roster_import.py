"""The import page's steps: read the upload, confirm the columns, the dry run, the import, and
the summary that stays once it is done.

The file and its dry run are kept per upload in session state (`import_state`), so a rerun
does not read the file again, and the dry run runs again only when the columns change. After a
write the preview and the button are gone; the summary stays until another file is uploaded.
The staff import (components/staff_import.py) uses the same reading, state and problem list.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.runtime.uploaded_file_manager import UploadedFile

from components import download, feedback, filters
from components.context import ready_engine
from components.safe_text import md
from db.engine import read_session
from locales import t
from services.actor import Actor
from services.errors import ConflictError, NotAllowed, Problem, ValidationFailed
from services.importing.dry_run import DryRun
from services.importing.parsing import (
    FIELDS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RawSheet,
    read_roster,
    suggest_mapping,
)
from services.importing.plan import ImportPlan, ImportResult, apply_import, plan_import
from services.importing.preview import error_sheet, plan_frame, problems_frame

STATE_KEY = "import_state"
ColumnMapping = dict[str, str | None]
Reader = Callable[..., RawSheet]
# What the import reads, as the hint says; the picker also takes .xlsm and .xls so that the
# import can say why it refuses them (services/importing/parsing._check_file: macros, old format)
# instead of Streamlit's English "files are not allowed".
UPLOAD_TYPES = ("xlsx", "csv")
EXPLAINED_TYPES = ("xlsm", "xls")
UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)  # .streamlit/config.toml's server.maxUploadSize too

# Streamlit's uploader has no parameter for its own button and hint ("Upload", "20MB per file •
# XLSX…", streamlit#13500): inside this uploader's keyed container they are hidden and the same
# place shows ours (CSS `content`), in the page's language.
_UPLOADER_CSS = """<style>
.st-key-{key} [data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p,
.st-key-{key} [data-testid=stFileUploaderDropzoneInstructions] span {{font-size: 0}}
.st-key-{key} [data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p::after
  {{content: {button}; font-size: 0.875rem}}
.st-key-{key} [data-testid=stFileUploaderDropzoneInstructions] span::after
  {{content: {hint}; font-size: 0.875rem}}
</style>"""


def upload_step(texts: str, template: bytes, template_name: str, key: str) -> UploadedFile | None:
    """An import's opening: its intro, the template to fill in, the limits and the uploader.
    `texts`: the locale prefix of intro / template / upload; `key`: the widget keys' prefix."""
    st.write(t(f"{texts}.intro"))
    download.show(t(f"{texts}.template"), template, template_name, f"{key}_tpl")
    st.caption(t("import.limits", mb=UPLOAD_MB, rows=MAX_ROWS))
    return upload_box(t(f"{texts}.upload"), f"{key}_file")


def upload_box(label: str, key: str) -> UploadedFile | None:
    """The spreadsheet uploader of the import pages, with its button and hint in the page's
    language and the same types and size limit the page states (UPLOAD_TYPES, UPLOAD_MB)."""
    types = " / ".join(f".{ext}" for ext in UPLOAD_TYPES)
    hint = t("import.upload_hint", types=types, mb=UPLOAD_MB)
    box = st.container(key=f"{key}_box")
    box.html(
        _UPLOADER_CSS.format(
            key=f"{key}_box", button=_css_text(t("import.upload_button")), hint=_css_text(hint)
        )
    )
    return box.file_uploader(
        label,
        type=[*UPLOAD_TYPES, *EXPLAINED_TYPES],
        key=key,
        max_upload_size=UPLOAD_MB,
        help=hint,
    )


def _css_text(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def state_for(upload: UploadedFile, key: str = STATE_KEY) -> dict[str, Any]:
    """This upload's saved steps (forgotten when another file is uploaded)."""
    state = st.session_state.setdefault(key, {})
    if state.get("file_id") != upload.file_id:
        state.clear()
        state["file_id"] = upload.file_id
    return state


def written(state: dict[str, Any], texts: str) -> Any:
    """The finished import's result (None before); stops, saying so, when it wrote nothing.
    `texts` is the locale prefix of the no_changes message."""
    result = state.get("done")
    if result is not None and not (result.inserted or result.updated):
        st.info(t(f"{texts}.no_changes", count=result.unchanged))  # imported meanwhile by another
        st.stop()
    return result


def finished(state: dict[str, Any]) -> None:
    """Once this file is imported: the summary and the next steps, and nothing else."""
    result: ImportResult | None = written(state, "import")
    if result is None:
        return
    st.success(t("import.done", inserted=result.inserted, updated=result.updated))
    if result.new_classrooms:
        st.info(md("import.done_classrooms", names="、".join(result.new_classrooms)))
    st.stop()


def read_sheet(
    upload: UploadedFile, state: dict[str, Any], reader: Reader = read_roster
) -> RawSheet:
    """The uploaded file, read once; stops with the file's problems when it cannot be read."""
    if "sheet" not in state and "file_problems" not in state:
        bar = st.progress(0.0)
        try:
            state["sheet"] = reader(upload.getvalue(), upload.name, progress=moves(bar))
        except ValidationFailed as failed:
            state["file_problems"] = failed.problems
        bar.empty()
    if "file_problems" in state:
        show_problems(state["file_problems"], "import_file_errors")
        st.stop()
    return state["sheet"]


def column_mapping(
    sheet: RawSheet,
    file_id: str,
    fields: Sequence[str] = FIELDS,
    suggest: Callable[[list[str]], ColumnMapping] = suggest_mapping,
    label: str = "import.field",
    key: str = "import_map",
) -> ColumnMapping:
    """One choice per column header (suggested from its name): which field, or skip it.
    `fields`, `suggest`, `label` (locale prefix) and `key` serve other sheets than the roster."""
    st.subheader(t("import.mapping"))
    st.caption(
        t("import.header_found", row=sheet.header_row, rows=len(sheet.rows))
        + " "
        + t("import.mapping_help")
    )
    suggested = suggest(sheet.headers)
    choices = [None, *fields]
    columns = st.columns(4)
    mapping = {
        header: columns[i % 4].selectbox(
            header,
            choices,
            index=choices.index(suggested[header]),
            format_func=lambda f: t("import.skip_column") if f is None else t(f"{label}.{f}"),
            key=f"{key}_{file_id}_{i}",
            placeholder=filters.choose(),
        )
        for i, header in enumerate(sheet.headers)
    }
    unknown = [h for h, f in mapping.items() if f is None]
    if unknown:
        st.info(md("import.unknown_columns", columns="、".join(unknown)))
    return mapping


def dry_run(
    actor: Actor, sheet: RawSheet, mapping: ColumnMapping, state: dict[str, Any]
) -> ImportPlan:
    """What the import would do, row by row; stops when there are problems or nothing to do
    (a file that matches the ledger says so)."""
    st.subheader(t("import.preview"))

    def plan_with_bar(session: Session) -> ImportPlan:
        bar = st.progress(0.0)
        plan = plan_import(session, actor, sheet, mapping, progress=moves(bar))
        bar.empty()
        return plan

    plan: ImportPlan = planned(state, tuple(mapping.items()), plan_with_bar, "import.not_allowed")
    if plan.problems:
        _show_plan(plan)
    stop_unless_changes(plan, "import_plan_errors", "import")
    _show_plan(plan)
    return plan


def import_button(
    actor: Actor, sheet: RawSheet, mapping: ColumnMapping, plan: ImportPlan, state: dict[str, Any]
) -> None:
    """导入: all rows or none, and only if nothing changed since the dry run; then the summary
    replaces the preview (`finished`)."""
    if not st.button(t("import.run"), type="primary", key="import_run"):
        return
    bar = st.progress(0.0)
    submit_import(
        state,
        lambda session: apply_import(
            session, actor, sheet, mapping, plan.signature(), progress=moves(bar)
        ),
        "import_apply_errors",
        "import",
    )


def planned(
    state: dict[str, Any], key: Hashable, make: Callable[[Session], Any], not_allowed: str
) -> Any:
    """The dry run's plan, made again only when `key` (the choices it depends on) changes; a
    refusal stops the run with the `not_allowed` message."""
    if state.get("plan_key") != key:
        try:
            with read_session(ready_engine()) as session:
                state["plan"] = make(session)
        except NotAllowed:
            st.error(t(not_allowed))
            st.stop()
        state["plan_key"] = key
    return state["plan"]


def submit_import(
    state: dict[str, Any], write: Callable[[Session], Any], problems_key: str, texts: str
) -> None:
    """Write the import, all or nothing: once written, its result stays for the summary; when
    refused (problems, or changed since the dry run; `texts`.changed_since_preview) the next
    run plans again against what is stored now."""
    result = feedback.submit(
        write,
        rerun=False,
        on_error={
            ValidationFailed: lambda e: show_problems(e.problems, problems_key),
            ConflictError: lambda e: st.warning(t(f"{texts}.changed_since_preview")),
        },
    )
    if result is feedback.FAILED:
        state.pop("plan_key", None)
        return
    state["done"] = result
    st.rerun()


def show_problems(problems: list[Problem], key: str) -> None:
    """Nothing written; every problem by row and column, and the same as an error sheet."""
    st.error(t("import.problems", count=len(problems)))
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
    download.show(t("import.error_sheet"), error_sheet(problems), t("import.error_file"), key)


def stop_unless_changes(plan: DryRun, problems_key: str, texts: str) -> None:
    """Stop the run, saying why, when the dry run has problems, no rows or nothing to change;
    `texts` is the locale prefix of the nothing / no_changes messages."""
    if plan.problems:
        show_problems(plan.problems, problems_key)
        st.stop()
    if not plan.rows:
        st.warning(t(f"{texts}.nothing"))
        st.stop()
    if not plan.changed:
        st.info(t(f"{texts}.no_changes", count=len(plan.rows)))
        st.stop()


def _show_plan(plan: ImportPlan) -> None:
    """The dry run's counts, the classes it would create, and its table."""
    st.write(t("import.summary", **plan.counts()))
    if plan.new_classrooms:
        st.info(md("import.new_classrooms", names="、".join(sorted(plan.new_classrooms.values()))))
    # height "auto": a few rows exactly (no sliver of an empty row), at most ten, then a scroll
    st.dataframe(plan_frame(plan), hide_index=True, width="stretch")


def moves(bar: Any) -> Callable[[float, str], object]:
    """A progress callback (share 0–1, message) that moves `bar`."""
    return lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text)
