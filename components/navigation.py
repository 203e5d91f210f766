"""Which pages each role gets. st.navigation only offers these; services still check roles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from db.enums import Role
from locales import t

ALL = frozenset(Role)
SCHOOL_STAFF = frozenset(ALL - {Role.BUREAU})
LEADERS = frozenset({Role.ADMIN, Role.PRINCIPAL})


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    roles: frozenset[Role]
    section_key: str = "nav.section.main"
    # Roles for which this page opens first.
    default_for: frozenset[Role] = frozenset()
    # Shown in demo mode (演示模式): the page shows only aggregates or masked data.
    demo_safe: bool = False


# Add one line per page; order is the menu order within each section.
PAGES: list[PageSpec] = [
    PageSpec(
        "pages/home.py",
        "nav.home",
        ":material/home:",
        ALL,
        default_for=frozenset({Role.COUNSELLOR}),
        demo_safe=True,
    ),
    PageSpec(
        "pages/todo.py",
        "nav.todo",
        ":material/checklist:",
        frozenset({Role.HEAD_TEACHER, Role.TEACHER}),
        default_for=frozenset({Role.HEAD_TEACHER, Role.TEACHER}),
    ),
    PageSpec(
        "pages/risk.py",
        "nav.risk",
        ":material/priority_high:",
        frozenset({Role.PRINCIPAL, Role.ADMIN, Role.HEAD_TEACHER, Role.COUNSELLOR}),
        demo_safe=True,
    ),
    PageSpec(
        "pages/children.py",
        "nav.children",
        ":material/folder_shared:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.COUNSELLOR}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/child_profile.py",
        "nav.child_profile",
        ":material/badge:",
        SCHOOL_STAFF,
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/contacts.py",
        "nav.contacts",
        ":material/call:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/pairings.py",
        "nav.pairings",
        ":material/handshake:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/import_roster.py",
        "nav.import",
        ":material/upload_file:",
        LEADERS,
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/import_staff.py",
        "nav.import_staff",
        ":material/group_add:",
        LEADERS,
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/activities.py",
        "nav.activities",
        ":material/celebration:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/health.py",
        "nav.health",
        ":material/monitor_heart:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/aid.py",
        "nav.aid",
        ":material/volunteer_activism:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/counselling.py",
        "nav.counselling",
        ":material/psychology:",
        frozenset({Role.ADMIN, Role.PRINCIPAL, Role.COUNSELLOR}),
        section_key="nav.section.records",
    ),
    PageSpec(
        "pages/dashboard.py",
        "nav.dashboard",
        ":material/monitoring:",
        frozenset({Role.PRINCIPAL, Role.ADMIN, Role.BUREAU}),
        section_key="nav.section.analysis",
        default_for=frozenset({Role.PRINCIPAL, Role.ADMIN, Role.BUREAU}),
        demo_safe=True,
    ),
    PageSpec(
        "pages/reports.py",
        "nav.reports",
        ":material/summarize:",
        frozenset({Role.PRINCIPAL, Role.ADMIN, Role.BUREAU}),
        section_key="nav.section.analysis",
        demo_safe=True,
    ),
    PageSpec(
        "pages/settings.py",
        "nav.rules_settings",
        ":material/rule_settings:",
        frozenset({Role.ADMIN}),
        section_key="nav.section.admin",
    ),
    PageSpec(
        "pages/users.py",
        "nav.users",
        ":material/manage_accounts:",
        frozenset({Role.ADMIN}),
        section_key="nav.section.admin",
    ),
    PageSpec(
        "pages/audit_log.py",
        "nav.audit_log",
        ":material/history:",
        LEADERS,
        section_key="nav.section.admin",
    ),
    PageSpec(
        "pages/backups.py",
        "nav.backups",
        ":material/backup:",
        frozenset({Role.ADMIN}),
        section_key="nav.section.admin",
    ),
    PageSpec(
        "pages/account.py",
        "nav.account",
        ":material/person:",
        ALL,
        "nav.section.me",
        demo_safe=True,
    ),
]


def demo_safe_titles(role: Role) -> set[str]:
    """Titles of the pages that demo mode still shows to `role` (aggregates, masked lists)."""
    return {t(s.title_key) for s in PAGES if role in s.roles and s.demo_safe}


def pages_for(role: Role) -> dict[str, list[st.Page]]:
    """st.Page objects grouped by section title, for `st.navigation`."""
    sections: dict[str, list[st.Page]] = {}
    has_default = any(role in spec.default_for for spec in PAGES if role in spec.roles)
    for spec in PAGES:
        if role not in spec.roles:
            continue
        is_default = role in spec.default_for or (not has_default and not sections)
        page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=is_default)
        if is_default:
            has_default = True
        sections.setdefault(t(spec.section_key), []).append(page)
    return sections


LOGIN_URL_PATH = "login"


def _login_page() -> None:
    """Before sign-in every address runs this page; components.auth draws the form itself."""


def before_sign_in() -> None:
    """Before sign-in the app has one page, the login form, at every page's address.

    Until a run calls `st.navigation`, Streamlit falls back to the pages/ folder: the sidebar
    listed every file by its English name and `/counselling` ran that page on its own (blank).
    Here the login page is the default (`/`) and also answers, hidden, at each page's own
    address, so a direct or bookmarked URL shows the login form without a "page not found" —
    and, once signed in, that page, if the role has it. No menu is shown."""
    title = t("login.title")
    pages = [st.Page(_login_page, title=title, url_path=LOGIN_URL_PATH, default=True)]
    pages += [
        st.Page(_login_page, title=title, url_path=Path(spec.path).stem, visibility="hidden")
        for spec in PAGES
    ]
    st.navigation(pages, position="hidden")
