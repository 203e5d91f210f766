"""The setup wizard (#14): while the database holds no school, the browser shows it instead of the
login form — school, first administrator, school year, contact rules — and then the next steps.

app.py calls `show_if_needed()` before the login gate. Each step checks its own inputs with the
service's pure checks and keeps them in session state; nothing is written until the last step's
完成设置, which writes everything in one transaction (services/school_setup.py, through
components/feedback.py). Afterwards this session sees the next steps once, every session the login
form; the wizard never shows again. Like the login form it has no menu (no pages/ fallback), and
its forms take no Enter key (Streamlit's hint for it is English): 下一步 moves on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from components import auto_backup, feedback, navigation
from components.context import ready_engine
from components.form_errors import show_each_problem
from db.engine import read_session
from locales import t
from services import school_setup
from services.clock import school_today
from services.compliance.settings import PHASE_FIELDS, TermInput, format_holidays, parse_holidays
from services.errors import ValidationFailed
from services.installation import needs_setup
from services.school_setup import AdminDraft, SchoolDraft, SetupDraft

STEP_KEY = "careledger_setup_step"
DRAFT_KEY = "careledger_setup_draft"
DONE_KEY = "careledger_setup_done"
STEPS = ("school", "admin", "year", "rules")


def show_if_needed() -> None:
    """Before the login gate: the wizard (or, right after it, the next steps), then st.stop()."""
    done = st.session_state.get(DONE_KEY)
    if done is not None:
        navigation.before_sign_in()  # no menu of English file names (the pages/ fallback)
        _next_steps(done)
        st.stop()
    with read_session(ready_engine()) as session:
        if not needs_setup(session):
            if st.session_state.pop(DRAFT_KEY, None) is not None:  # someone else finished first
                st.session_state.pop(STEP_KEY, None)
                st.info(t("setup.already_done"))
            return
    navigation.before_sign_in()
    _wizard()
    st.stop()


def _wizard() -> None:
    st.title(t("setup.title"))
    st.caption(t("setup.intro"))
    step = st.session_state.get(STEP_KEY, 0)
    st.progress(
        (step + 1) / len(STEPS),
        text=t("setup.progress", step=step + 1, steps=len(STEPS),
               name=t(f"setup.step.{STEPS[step]}")),
    )  # fmt: skip
    draft = st.session_state.setdefault(DRAFT_KEY, {})
    {"school": _school_step, "admin": _admin_step, "year": _year_step, "rules": _rules_step}[
        STEPS[step]
    ](draft)


def _go(step: int) -> None:
    st.session_state[STEP_KEY] = step
    st.rerun()


def _buttons(step: int) -> tuple[bool, bool]:
    """下一步 (or 完成设置 on the last step) and, after the first step, 上一步."""
    last = step == len(STEPS) - 1
    left, right, _ = st.columns([1, 1, 6])
    forward = left.form_submit_button(t("setup.finish" if last else "setup.next"), type="primary")
    back = step > 0 and right.form_submit_button(t("setup.back"))
    return forward, bool(back)


def _checked(check: Any, *args: Any) -> bool:
    """Run one step's check; its problems shown one per line (the feedback path for forms)."""
    try:
        check(*args)
    except ValidationFailed as exc:
        show_each_problem(exc)
        return False
    return True


def _school_step(draft: dict[str, Any]) -> None:
    old = draft.get("school") or SchoolDraft("", "", "")
    with st.form("setup_school", enter_to_submit=False):
        st.subheader(t("setup.step.school"))
        name = st.text_input(t("setup.school.name"), old.name, placeholder="青山县第一小学")
        code = st.text_input(t("setup.school.code"), old.code, help=t("setup.school.code_help"))
        county = st.text_input(t("setup.school.county"), old.county, placeholder="青山县")
        forward, _ = _buttons(0)
    if forward:
        school = SchoolDraft(name, code, county)
        if _checked(school_setup.check_school, school):
            draft["school"] = school
            _go(1)


def _admin_step(draft: dict[str, Any]) -> None:
    old = draft.get("admin") or AdminDraft("", "", "", "")
    with st.form("setup_admin", enter_to_submit=False):
        st.subheader(t("setup.step.admin"))
        st.caption(t("setup.admin.intro"))
        display_name = st.text_input(t("setup.admin.display_name"), old.display_name)
        username = st.text_input(
            t("setup.admin.username"), old.username, help=t("accounts.username_invalid")
        )
        phone = st.text_input(t("setup.admin.phone"), old.phone or "")
        password = st.text_input(
            t("setup.admin.password"), type="password", help=t("accounts.rules"),
            autocomplete="new-password",
        )  # fmt: skip
        repeat = st.text_input(
            t("setup.admin.repeat"), type="password", autocomplete="new-password"
        )
        forward, back = _buttons(1)
    if back:
        _go(0)
    if forward:
        admin = AdminDraft(username.strip(), display_name, password, repeat, phone.strip() or None)
        if _checked(school_setup.check_admin, admin):
            draft["admin"] = admin
            _go(2)


def _year_step(draft: dict[str, Any]) -> None:
    terms = draft.get("terms") or school_setup.suggested_terms(school_today())
    with st.form("setup_year", enter_to_submit=False):
        st.subheader(t("setup.step.year"))
        st.caption(t("setup.year.intro"))
        edited = []
        for index, (column, term) in enumerate(zip(st.columns(2), terms, strict=False)):
            with column:
                edited.append(_term_inputs(index, term))
        forward, back = _buttons(2)
    if back:
        _go(1)
    if forward:
        try:
            new_terms = [replace(term, holidays=parse_holidays(text)) for term, text in edited]
        except ValidationFailed as exc:
            show_each_problem(exc)
            return
        if _checked(school_setup.check_terms, new_terms):
            draft["terms"] = new_terms
            _go(3)


def _term_inputs(index: int, term: TermInput) -> tuple[TermInput, str]:
    """One term's fields; returns the term (holidays not yet parsed) and the holidays text."""
    name = st.text_input(t("settings.term.name"), term.name, key=f"setup_term_{index}_name")
    left, right = st.columns(2)
    start = left.date_input(t("settings.term.start"), term.start_date, key=f"setup_{index}_start")
    end = right.date_input(t("settings.term.end"), term.end_date, key=f"setup_{index}_end")
    phases: dict[str, tuple[date, date]] = {}
    for phase in PHASE_FIELDS:
        label = t(f"settings.term.{phase}_phase")
        first, last = term.phases[phase]
        phases[phase] = (
            left.date_input(t("setup.year.phase_from", phase=label), first,
                            key=f"setup_{index}_{phase}_from"),
            right.date_input(t("setup.year.phase_to", phase=label), last,
                             key=f"setup_{index}_{phase}_to"),
        )  # fmt: skip
    holidays = st.text_area(
        t("settings.term.holidays"), format_holidays(term.holidays), key=f"setup_{index}_holidays"
    )
    return TermInput(name, start, end, phases, term.holidays), holidays


def _rules_step(draft: dict[str, Any]) -> None:
    with st.form("setup_rules", enter_to_submit=False):
        st.subheader(t("setup.step.rules"))
        st.caption(t("setup.rules.intro"))
        frame = school_setup.default_rules_table()
        # The app's own words (no user text): a plain table, readable and printable.
        st.table(
            frame.rename(columns={c: t(f"setup.rules.col.{c}") for c in frame.columns}),
            hide_index=True,
        )
        school, admin = draft["school"], draft["admin"]
        st.markdown(f"**{t('setup.summary.title')}**")
        summary = {
            t("setup.school.name"): school.name.strip(),
            t("setup.school.code"): school.code.strip(),
            t("setup.school.county"): school.county.strip(),
            t("setup.admin.username"): f"{admin.username}（{admin.display_name.strip()}）",
            t("setup.step.year"): "、".join(term.name for term in draft["terms"]),
        }
        st.dataframe(  # user text in a table: shown as text, never as Markdown
            {
                t("setup.summary.item"): list(summary),
                t("setup.summary.value"): list(summary.values()),
            },
            hide_index=True,
        )
        forward, back = _buttons(3)
    if back:
        _go(2)
    if forward:
        setup = SetupDraft(school, admin, draft["terms"])
        result = feedback.submit(lambda s: school_setup.set_up_school(s, setup), rerun=False)
        if result is not feedback.FAILED:
            st.session_state.pop(DRAFT_KEY, None)  # the password leaves the session
            st.session_state.pop(STEP_KEY, None)
            st.session_state[DONE_KEY] = {"school": school.name.strip(),
                                          "username": result.admin_username}  # fmt: skip
            runner = auto_backup.start_once()
            if runner is not None:
                runner.wake()  # the school's first backup now, not at the next round
            st.rerun()


def _next_steps(done: dict[str, str]) -> None:
    st.title(t("setup.done.title"))
    st.success(t("setup.done.saved"))
    st.text(t("setup.done.account", school=done["school"], username=done["username"]))
    st.markdown(t("setup.done.next"))
    if st.button(t("setup.done.sign_in"), type="primary", key="setup_sign_in"):
        st.session_state.pop(DONE_KEY, None)
        st.rerun()
