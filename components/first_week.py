"""The home page's first-week checklist (#14): a new school's next steps with live status and a
link to the page that completes each; gone once everything is done. For the administrator, the
backup status follows (components/backup_panel.py)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components import backup_panel, kpi
from components.context import ready_engine
from components.navigation import PAGES
from db.engine import read_session
from db.enums import Role
from locales import t
from services.accounts.actor import Actor
from services.clock import school_today
from services.metrics.first_week import FirstWeek, Step, checklist

# Where each step is done, best first; a page the role does not have is skipped.
STEP_PAGES = {
    "term": ("pages/settings.py",),
    "rules": ("pages/settings.py",),
    "staff": ("pages/import_staff.py", "pages/users.py"),
    "children": ("pages/import_roster.py", "pages/children.py"),
    "pairing": ("pages/pairings.py",),
}


def show(actor: Actor) -> None:
    """The checklist (school leaders of a new school), then the backup status (administrators)."""
    with read_session(ready_engine()) as session:
        status = checklist(session, actor, school_today())
    if status is not None:
        _checklist(actor, status)
    if actor.role == Role.ADMIN:
        backup_panel.home_status(actor)


def _checklist(actor: Actor, status: FirstWeek) -> None:
    with st.container(border=True):
        st.subheader(t("first_week.title"))
        st.caption(t("first_week.intro"))
        for step in status.steps:
            mark, text, link = st.columns([1, 10, 3], vertical_alignment="center")
            mark.markdown("✅" if step.done else "⬜")
            text.markdown(f"**{t(f'first_week.{step.key}.label')}** · {_status_text(step)}")
            if not step.done:
                with link:
                    _link(actor, step)


def _status_text(step: Step) -> str:
    figures = dict(step.figures)
    if step.key == "children":
        if not figures["children"]:
            return t("first_week.children.none")
        figures["archive_rate"] = kpi.percent(figures["archive_rate"])
    if step.key == "term" and not step.done:
        return t("first_week.term.none")
    if step.key == "rules" and not step.done:
        return t("first_week.rules.none")
    return t(f"first_week.{step.key}.status", **figures)


def _link(actor: Actor, step: Step) -> None:
    paths = STEP_PAGES[step.key]
    if step.key == "children" and step.figures["children"]:
        paths = paths[::-1]  # a roster is in: fill the gaps on 儿童档案
    allowed = [spec.path for spec in PAGES if actor.role in spec.roles]
    path = next((p for p in paths if p in allowed), None)
    if path is None:
        st.caption(t("first_week.by_admin"))
        return
    try:
        st.page_link(path, label=t(f"first_week.{step.key}.go"), icon=":material/arrow_forward:")
    except StreamlitAPIException:  # a page outside this run's navigation (a page run alone)
        st.caption(t(f"first_week.{step.key}.go"))
