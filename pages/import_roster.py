"""批量导入: upload a roster, confirm the columns, see the dry run, then import all or nothing."""

import streamlit as st

from components import download
from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from locales import t
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.importing.parsing import (
    FIELDS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    read_roster,
    suggest_mapping,
)
from services.importing.plan import apply_import, plan_import
from services.importing.preview import error_sheet, plan_frame, problems_frame
from services.importing.roster_template import roster_template

actor = current_actor()
st.title(t("import.title"))
st.write(t("import.intro"))
download.show(t("import.template"), roster_template(), t("import.template_file"), "import_tpl")
st.caption(t("import.limits", mb=MAX_FILE_BYTES // (1024 * 1024), rows=MAX_ROWS))


def report_to(bar):  # type: ignore[no-untyped-def]
    """A progress callback (share 0–1, message) that moves `bar`."""
    return lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text)


def show_problems(problems: list, key: str) -> None:
    st.error(t("import.problems", count=len(problems)))
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
    download.show(t("import.error_sheet"), error_sheet(problems), t("import.error_file"), key)


upload = st.file_uploader(
    t("import.upload"), type=["xlsx", "xlsm", "xls", "csv"], key="import_file"
)
if upload is None:
    st.stop()

state = st.session_state.setdefault("import_state", {})
if state.get("file_id") != upload.file_id:
    state.clear()
    state["file_id"] = upload.file_id
    bar = st.progress(0.0)
    try:
        state["sheet"] = read_roster(upload.getvalue(), upload.name, progress=report_to(bar))
    except ValidationFailed as failed:
        state["file_problems"] = failed.problems
    bar.empty()
if "file_problems" in state:
    show_problems(state["file_problems"], "import_file_errors")
    st.stop()

sheet = state["sheet"]
st.subheader(t("import.mapping"))
st.caption(
    t("import.header_found", row=sheet.header_row, rows=len(sheet.rows))
    + " "
    + t("import.mapping_help")
)
suggested = suggest_mapping(sheet.headers)
choices = [None, *FIELDS]
columns = st.columns(4)
mapping = {
    header: columns[i % 4].selectbox(
        header,
        choices,
        index=choices.index(suggested[header]),
        format_func=lambda f: t("import.skip_column") if f is None else t(f"import.field.{f}"),
        key=f"import_map_{upload.file_id}_{i}",
    )
    for i, header in enumerate(sheet.headers)
}
unknown = [h for h, f in mapping.items() if f is None]
if unknown:
    st.info(t("import.unknown_columns", columns="、".join(unknown)))

st.subheader(t("import.preview"))
plan_key = tuple(mapping.items())
if state.get("plan_key") != plan_key:  # plan again only when the columns change
    bar = st.progress(0.0)
    try:
        with read_session(ready_engine()) as session:
            state["plan"] = plan_import(session, actor, sheet, mapping, progress=report_to(bar))
    except NotAllowed:
        st.error(t("import.not_allowed"))
        st.stop()
    state["plan_key"] = plan_key
    bar.empty()
plan = state["plan"]
st.write(
    t(
        "import.summary",
        inserted=plan.count("insert"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
    )
)
if plan.new_classrooms:
    st.info(t("import.new_classrooms", names="、".join(sorted(plan.new_classrooms.values()))))
preview = plan_frame(plan)
st.dataframe(
    preview, hide_index=True, width="stretch", height=min(300, 36 * (len(preview) + 1) + 3)
)
if plan.problems:
    show_problems(plan.problems, "import_plan_errors")
    st.stop()
if not plan.rows:
    st.warning(t("import.nothing"))
    st.stop()

if st.button(t("import.run"), type="primary", key="import_run"):
    bar = st.progress(0.0)
    try:
        with write_session(ready_engine()) as session:
            result = apply_import(
                session,
                actor,
                sheet,
                mapping,
                plan.signature(),
                progress=report_to(bar),
            )
    except ValidationFailed as failed:
        show_problems(failed.problems, "import_apply_errors")
    except ConflictError:
        st.warning(t("import.changed_since_preview"))
    else:
        state.pop("plan_key", None)  # the next run previews against the new data
        st.success(t("import.done", inserted=result.inserted, updated=result.updated))
        if result.new_classrooms:
            st.info(t("import.done_classrooms", names="、".join(result.new_classrooms)))
