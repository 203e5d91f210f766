"""The home page's first-week checklist (#14): a new school's next steps with live status and a
link to the page that completes each; gone once everything is done. For the administrator, the
backup status follows (components/backup_panel.py)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components import backup_panel, kpi
from components.context import ready_engine
from components.navigation import PAGES
from components.safe_text import escape_md
from db.engine import read_session
from db.enums import Role
from locales import t
from services.actor import Actor
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
            text, link = st.columns([4, 1.3], vertical_alignment="center")
            mark = ":green[:material/check_circle:]" if step.done else ":gray[:material/circle:]"
            text.markdown(f"{mark} **{t(f'first_week.{step.key}.label')}** · {_status_text(step)}")
            if not step.done:
                with link:
                    _link(actor, step)


def _status_text(step: Step) -> str:
    """The step's figures in words; the term's name is user text (escaped)."""
    figures = dict(step.figures)
    if step.key == "term":
        return escape_md(figures["term"]) if step.done else t("first_week.term.none")
    if step.key == "children":
        if not figures["children"]:
            return t("first_week.children.none")
        figures["archive_rate"] = kpi.percent(figures["archive_rate"])
    if step.key == "pairing" and not figures["left_behind"]:
        return t("first_week.pairing.no_children")
    if not step.done and step.key in ("rules", "staff"):
        return t(f"first_week.{step.key}.none")
    return t(f"first_week.{step.key}.status", **figures)


def _link(actor: Actor, step: Step) -> None:
    paths, go = STEP_PAGES[step.key], f"first_week.{step.key}.go"
    if step.key == "children" and step.figures["children"]:
        paths, go = paths[::-1], "first_week.children.go_fill"  # a roster is in: fill the gaps
    allowed = [spec.path for spec in PAGES if actor.role in spec.roles]
    path = next((p for p in paths if p in allowed), None)
    if path is None:
        st.caption(t("first_week.by_admin"))
        return
    try:
        st.page_link(path, label=t(go), icon=":material/arrow_forward:")
    except StreamlitAPIException:  # a page outside this run's navigation (a page run alone)
        st.caption(t(go))
