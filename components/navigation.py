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
ADMIN_ONLY = frozenset({Role.ADMIN})
CLASS_TEACHERS = frozenset({Role.HEAD_TEACHER, Role.TEACHER})
# Those who keep the care records of a class or the school.
CARE_KEEPERS = LEADERS | {Role.HEAD_TEACHER}
CASE_READERS = CARE_KEEPERS | {Role.COUNSELLOR}
OVERSIGHT = LEADERS | {Role.BUREAU}

MAIN, RECORDS, ANALYSIS = "nav.section.main", "nav.section.records", "nav.section.analysis"
ADMIN_MENU, ME = "nav.section.admin", "nav.section.me"


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    roles: frozenset[Role]
    section_key: str = MAIN
    # Roles for which this page opens first.
    default_for: frozenset[Role] = frozenset()
    # Shown in demo mode (演示模式): the page shows only aggregates or masked data.
    demo_safe: bool = False


def _page(
    name: str,
    icon: str,
    roles: frozenset[Role],
    section: str,
    *,
    title: str = "",
    default_for: frozenset[Role] = frozenset(),
    demo_safe: bool = False,
) -> PageSpec:
    """One menu entry: pages/<name>.py, titled nav.<title or name>, with a material icon."""
    path, title_key, material = f"pages/{name}.py", f"nav.{title or name}", f":material/{icon}:"
    return PageSpec(path, title_key, material, roles, section, default_for, demo_safe)


# Landing pages (issue 16): teachers their to-do, the counsellor and the school's leaders 首页
# (follow-ups and risk children; the first-week checklist), the bureau the county overview.
HOME_FIRST = LEADERS | {Role.COUNSELLOR}
BUREAU_FIRST = frozenset({Role.BUREAU})

# One line per page; order is the menu order within each section.
PAGES: list[PageSpec] = [
    _page("home", "home", ALL, MAIN, default_for=HOME_FIRST, demo_safe=True),
    _page("todo", "checklist", CLASS_TEACHERS, MAIN, default_for=CLASS_TEACHERS),
    _page("risk", "priority_high", CASE_READERS, MAIN, demo_safe=True),
    _page("children", "folder_shared", CASE_READERS, RECORDS),
    _page("child_profile", "badge", SCHOOL_STAFF, RECORDS),
    _page("contacts", "call", SCHOOL_STAFF, RECORDS),
    _page("pairings", "handshake", CARE_KEEPERS, RECORDS),
    _page("import_roster", "upload_file", LEADERS, RECORDS, title="import"),
    _page("import_staff", "group_add", LEADERS, RECORDS),
    _page("activities", "celebration", CARE_KEEPERS, RECORDS),
    _page("health", "monitor_heart", CARE_KEEPERS, RECORDS),
    _page("aid", "volunteer_activism", CARE_KEEPERS, RECORDS),
    _page("growth_results", "school", CARE_KEEPERS, RECORDS),
    _page("growth_observations", "emoji_people", CARE_KEEPERS | {Role.TEACHER}, RECORDS),
    _page("counselling", "psychology", LEADERS | {Role.COUNSELLOR}, RECORDS),
    _page("dashboard", "monitoring", OVERSIGHT, ANALYSIS, default_for=BUREAU_FIRST, demo_safe=True),
    _page("outcome", "insights", OVERSIGHT, ANALYSIS, demo_safe=True),
    _page("reports", "summarize", OVERSIGHT, ANALYSIS, demo_safe=True),
    _page("settings", "rule_settings", ADMIN_ONLY, ADMIN_MENU, title="rules_settings"),
    _page("users", "manage_accounts", ADMIN_ONLY, ADMIN_MENU),
    _page("audit_log", "history", LEADERS, ADMIN_MENU),
    _page("backups", "backup", ADMIN_ONLY, ADMIN_MENU),
    _page("account", "person", ALL, ME, demo_safe=True),
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


# On a narrow screen the sidebar covers the page; Streamlit closes it after a menu tap only for a
# phone's user agent. This closes it after a tap whenever the window is phone-narrow (below
# Streamlit's md breakpoint, where the sidebar overlays the page). A constant script, no user text.
CLOSE_MENU_ON_PHONE = """<script>
(() => {
  if (window.careledgerMenuCloses) return;
  window.careledgerMenuCloses = true;
  const narrow = window.matchMedia("(max-width: 767.98px)");
  document.addEventListener("click", (event) => {
    if (!narrow.matches || !event.target.closest("[data-testid=stSidebarNavLink]")) return;
    setTimeout(() => {
      const sidebar = document.querySelector("[data-testid=stSidebar]");
      const close = document.querySelector("[data-testid=stSidebarCollapseButton] button");
      if (sidebar && sidebar.dataset.collapsed !== "true" && close) close.click();
    }, 50);
  }, true);
})();
</script>"""


def close_menu_on_phone() -> None:
    """After a tap on a menu entry on a phone-narrow window, fold the sidebar away."""
    st.sidebar.html(CLOSE_MENU_ON_PHONE, unsafe_allow_javascript=True)


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
