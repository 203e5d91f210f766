"""心理辅导记录: counsellor, principal and admin only; every view is audited by the service."""

from datetime import date

import streamlit as st

from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from db.enums import RiskLevel
from locales import enum_label, enum_options, t
from services.care import counselling
from services.errors import ConflictError, NotAllowed, ValidationFailed

NOTICE = "counselling.notice"
actor = current_actor()
engine = ready_engine()
st.title(t("counselling.title"))
st.caption(t("counselling.caption"))

try:
    with read_session(engine) as session:
        rooms = counselling.note_classrooms(session, actor)
        high_risk = counselling.high_risk_child_ids(session, actor)
except NotAllowed:
    st.error(t("error.not_allowed"))
    st.stop()
if notice := st.session_state.pop(NOTICE, None):
    st.success(notice)


def pick_child(key: str, allow_all: bool) -> int | None:
    """Class, then child of that class; None = every child (when allowed)."""
    left, right = st.columns(2)
    room_options = {None: t("counselling.filter.all_classes"), **rooms} if allow_all else rooms
    room = left.selectbox(
        t("counselling.filter.classroom"),
        list(room_options),
        format_func=room_options.get,
        key=f"{key}.classroom",
    )
    with read_session(engine) as session:
        kids = counselling.note_children(session, actor, room) if room else {}
    options = {None: t("counselling.filter.all_children"), **kids} if allow_all else kids
    if not options:
        right.caption(t("counselling.no_children"))
        return None
    return right.selectbox(
        t("counselling.filter.child"), list(options), format_func=options.get, key=f"{key}.child"
    )


def run(action, success: str) -> None:  # type: ignore[no-untyped-def]
    """Run one write in its own transaction and report the outcome."""
    try:
        with write_session(engine) as session:
            action(session)
    except ValidationFailed as exc:
        st.error(t("error.validation_failed", count=len(exc.problems)))
        for problem in exc.problems:
            st.write(f"· {problem.column}：{problem.message}")
    except ConflictError as exc:
        st.warning(t("error.conflict", count=len(exc.conflicts)))
    else:
        st.session_state[NOTICE] = success
        st.rerun()


st.info(t("counselling.high_risk_count", count=len(high_risk)))
risks = {None: t("counselling.filter.all_risks"), **enum_options(RiskLevel)}
risk = st.selectbox(
    t("counselling.filter.risk"), list(risks), format_func=risks.get, key="counselling.risk"
)
child_id = pick_child("counselling.filter", allow_all=True)
with write_session(engine) as session:  # a write: the view itself is audited
    notes = counselling.list_notes(session, actor, child_id, RiskLevel(risk) if risk else None)
st.subheader(t("counselling.list"))
st.caption(t("counselling.audit_notice"))
if notes.empty:
    st.info(t("counselling.empty"))
else:
    shown = notes.assign(risk_level=[enum_label(RiskLevel(r)) for r in notes["risk_level"]])
    columns = ["note_date", "child", "classroom", "risk_level", "counsellor", "summary"]
    st.dataframe(
        shown[columns],
        column_config={c: t(f"counselling.col.{c}") for c in columns},
        hide_index=True,
        width="stretch",
    )
    with st.expander(t("counselling.edit")):
        labels = {
            int(r.id): f"{r.note_date} {r.child}（{enum_label(RiskLevel(r.risk_level))}）"
            for r in notes.itertuples()
        }
        note_id = st.selectbox(
            t("counselling.pick_note"), list(labels), format_func=labels.get, key="counselling.pick"
        )
        row = notes.set_index("id").loc[note_id]
        with st.form(f"counselling.edit.{note_id}.{row['version']}"):
            day = st.date_input(t("counselling.col.note_date"), row["note_date"])
            level = st.selectbox(
                t("counselling.col.risk_level"),
                [m.value for m in RiskLevel],
                index=[m.value for m in RiskLevel].index(row["risk_level"]),
                format_func=lambda v: enum_label(RiskLevel(v)),
            )
            text = st.text_area(t("counselling.col.summary"), row["summary"])
            save_col, delete_col = st.columns(2)
            save = save_col.form_submit_button(t("counselling.save"), type="primary")
            delete = delete_col.form_submit_button(t("counselling.delete"))
        item = counselling.NoteInput(int(row["child_id"]), day, text, level)
        version = int(row["version"])
        if save:
            run(
                lambda s: counselling.update_note(s, actor, note_id, version, item),
                t("counselling.saved"),
            )
        if delete:
            run(
                lambda s: counselling.delete_note(s, actor, note_id, version),
                t("counselling.deleted"),
            )

st.subheader(t("counselling.new"))
new_child = pick_child("counselling.new", allow_all=False)
with st.form("counselling.new.form", clear_on_submit=True):
    day = st.date_input(t("counselling.col.note_date"), date.today(), max_value=date.today())
    level = st.selectbox(
        t("counselling.col.risk_level"),
        [m.value for m in RiskLevel],
        format_func=lambda v: enum_label(RiskLevel(v)),
    )
    text = st.text_area(t("counselling.col.summary"))
    submitted = st.form_submit_button(t("counselling.save"), type="primary")
if submitted and new_child is not None:
    item = counselling.NoteInput(new_child, day, text, level)
    run(lambda s: counselling.create_note(s, actor, item), t("counselling.saved"))
