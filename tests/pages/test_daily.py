"""Daily use (issue 16): the landing page of each role, 我的待办 grouped by child with its filters
and counts, child names that open 一人一档 at `?child=<id>`, the risk list's actions beside its
reasons, and a shared link refused (and audited) for a colleague outside the child's scope.

Pages run inside a small navigation of the role's pages (as app.py builds it), so links and page
switches resolve as in the app."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components.context import ACTOR_KEY
from components.navigation import PAGES
from components.safe_text import escape_md
from db.engine import read_session, write_session
from db.enums import AuditAction, ContactChannel, Counterpart, Role, RuleAppliesTo, RuleWho
from db.models import AuditEntry, Child
from tests.pages.apptest import texts
from tests.services.compliance_helpers import log_contact, make_rule
from tests.services.records_helpers import School

SINCE = date(2026, 9, 1)  # on the books since the term began: due this month, not 新建档
ENTRY = {
    Role.ADMIN: "pages/home.py",
    Role.PRINCIPAL: "pages/home.py",
    Role.HEAD_TEACHER: "pages/todo.py",
    Role.TEACHER: "pages/todo.py",
    Role.COUNSELLOR: "pages/home.py",
    Role.BUREAU: "pages/dashboard.py",
}


def role_app() -> None:
    """The role's pages in a navigation, the one asked for first (AppTest script)."""
    from pathlib import Path

    import streamlit as st

    import components
    from components.navigation import PAGES

    root = Path(components.__file__).resolve().parents[1]
    role, first = st.session_state["test.role"], st.session_state["test.first"]
    pages = [st.Page(str(root / s.path), default=s.path == first) for s in PAGES if role in s.roles]
    st.navigation(pages, position="hidden").run()


def open_page(path: str, actor, **params: str) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_function(role_app, default_timeout=60)
    at.session_state[ACTOR_KEY] = actor
    at.session_state["test.role"] = actor.role
    at.session_state["test.first"] = path
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def links(at: AppTest) -> list[tuple[str, str, str]]:
    return [(p.proto.label, p.proto.page, p.proto.query_string) for p in at.page_link]


@pytest.fixture
def school(app_env):
    """Head teacher 李老师 of class 1 (甲, 乙) and class 2 (key child 丙, paired with 赵老师);
    rules: a monthly call with the parents, a monthly contact with the guardian, a weekly talk
    with key children (the paired teacher's)."""
    with write_session(app_env) as session:
        s = School(session)
        cp, ch = Counterpart, ContactChannel
        call = make_rule(
            session, s.school, "每月与家长通话", [cp.FATHER, cp.MOTHER], [ch.PHONE, ch.VIDEO]
        )
        make_rule(
            session, s.school, "重点儿童每周谈心", [cp.CHILD], [ch.MEETING],
            applies_to=RuleAppliesTo.KEY, who=RuleWho.PAIRED_TEACHER,
        )  # fmt: skip
        make_rule(session, s.school, "每月与监护人沟通", [cp.GUARDIAN], [])
        kids = {
            "甲": s.child(name="甲娃", enrolled_on=SINCE),
            "乙": s.child(name="乙娃", enrolled_on=SINCE),
            "丙": s.child(s.class2, name="丙娃", is_key=True, enrolled_on=SINCE),
        }
        s.pair(s.teacher_user, kids["丙"])
        s.class2.head_teacher_id = s.head_user.id  # the head teacher keeps two classes
        session.flush()
        ids = {k: c.id for k, c in kids.items()} | {"call": call.id}
        actors = {
            Role.PRINCIPAL: s.principal,
            Role.ADMIN: s.admin,
            Role.HEAD_TEACHER: s.head,
            Role.TEACHER: s.teacher,
            Role.COUNSELLOR: s.counsellor,
        }
    return actors, ids


def test_each_role_lands_on_its_own_page():
    landing = {
        role: [s.path for s in PAGES if role in s.roles and role in s.default_for] for role in Role
    }
    assert landing == {role: [path] for role, path in ENTRY.items()}


def test_counsellor_home_shows_follow_ups_and_the_risk_list(school):
    actors, _ids = school
    at = open_page("pages/home.py", actors[Role.COUNSELLOR])
    assert not at.exception
    assert "心理辅导待跟进" in texts(at)
    assert "重点关注儿童：" in texts(at)
    assert {page for _label, page, _q in links(at)} >= {"risk", "counselling"}


def test_principal_home_has_no_counsellor_panel(school):
    actors, _ids = school
    at = open_page("pages/home.py", actors[Role.PRINCIPAL])
    assert not at.exception
    assert "心理辅导待跟进" not in texts(at)


def test_todo_one_card_per_child_with_counts_and_filters(school):
    actors, ids = school
    at = open_page("pages/todo.py", actors[Role.HEAD_TEACHER])
    assert not at.exception
    child_links = [(label, q) for label, page, q in links(at) if page == "child_profile"]
    assert sorted(child_links) == sorted(
        (f"**{name}娃**", f"child={ids[name]}") for name in ("甲", "乙", "丙")
    )
    assert "3 名儿童 · 共 6 项待办" in texts(at)
    assert [b.label for b in at.button].count("记录联系") == 6
    # Kind and class filters, each option with its count.
    kinds = at.pills(key="todo.filter.kind")
    assert sorted(kinds.options) == ["每月与家长通话 3", "每月与监护人沟通 3"]
    rooms = at.pills(key="todo.filter.class")
    # Options are Markdown: a class name is escaped (shown as typed).
    # Every count on the page is of 待办项 (as the header and the cards' badges), not children.
    assert sorted(rooms.options) == [escape_md("3年级(1)班") + " 4", escape_md("4年级(1)班") + " 2"]


def test_todo_header_and_badges_count_the_same_duties(school):
    actors, _ids = school
    at = open_page("pages/todo.py", actors[Role.HEAD_TEACHER])
    at.pills(key="todo.filter.class").set_value("4年级(1)班").run()
    shown = texts(at)
    assert "1 名儿童 · 共 2 项待办（0 项逾期、2 项待完成）" in shown
    assert ":orange-badge[2 项待完成]" in shown


def test_todo_filters_by_kind_and_by_class(school):
    actors, ids = school
    at = open_page("pages/todo.py", actors[Role.HEAD_TEACHER])
    at.pills(key="todo.filter.kind").set_value(ids["call"]).run()
    assert "3 名儿童 · 共 3 项待办" in texts(at)
    at.pills(key="todo.filter.class").set_value("4年级(1)班").run()
    assert [label for label, page, _q in links(at) if page == "child_profile"] == ["**丙娃**"]
    assert "1 名儿童 · 共 1 项待办" in texts(at)
    at.pills(key="todo.filter.class").set_value("3年级(1)班").run()
    names = sorted(label for label, page, _q in links(at) if page == "child_profile")
    assert names == ["**乙娃**", "**甲娃**"]


def test_todo_says_which_contact_meets_the_weekly_talk(school):
    actors, _ids = school
    at = open_page("pages/todo.py", actors[Role.TEACHER])
    assert not at.exception
    assert "需面谈联系儿童本人，与父亲、母亲、监护人的联系不计入" in texts(at)


def test_todo_log_contact_opens_the_form_preset_with_the_way_back(school):
    actors, ids = school
    at = open_page("pages/todo.py", actors[Role.TEACHER])
    (button,) = [b for b in at.button if b.label == "记录联系"]
    button.click().run()
    assert not at.exception
    assert at.selectbox(key="contacts.quick.child").value == ids["丙"]
    assert at.selectbox(key="contacts.quick.counterpart").value == "child"
    assert at.query_params["from"] in ("todo", ["todo"])
    # The to-do is this role's landing page: its address is the app's root.
    assert [(label, q) for label, _page, q in links(at) if label == "返回我的待办"] == [
        ("返回我的待办", "")
    ]


def test_profile_opens_the_child_named_in_the_address(school):
    actors, ids = school
    at = open_page("pages/child_profile.py", actors[Role.HEAD_TEACHER], child=str(ids["乙"]))
    assert not at.exception
    assert at.selectbox(key="profile.picker").value == ids["乙"]
    assert "乙娃" in texts(at)
    # The archive reads child, father, mother, guardian, each a block of its own.
    blocks = [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")]
    assert blocks[:4] == ["儿童本人", "父亲", "母亲", "监护人"]


def test_a_shared_link_outside_ones_scope_is_refused_and_audited(school, app_env):
    actors, ids = school
    at = open_page("pages/child_profile.py", actors[Role.TEACHER], child=str(ids["甲"]))
    assert not at.exception
    assert any("无权查看这名儿童" in e.value for e in at.error)
    assert "甲娃" not in texts(at)
    with read_session(app_env) as session:
        refused = session.execute(
            select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.ok).where(
                AuditEntry.action == AuditAction.VIEW_RESTRICTED
            )
        ).all()
    assert [tuple(r) for r in refused] == [("children", ids["甲"], False)]


def test_risk_list_names_open_the_profile_and_reasons_have_their_action(school, app_env):
    actors, ids = school
    with write_session(app_env) as session:
        kept = session.get(Child, ids["丙"])
        ding = Child(
            school_id=kept.school_id, classroom_id=kept.classroom_id, name="丁娃",
            student_no="S-DING-01", left_behind_type=kept.left_behind_type, is_key=True,
            enrolment_status=kept.enrolment_status, enrolled_on=SINCE,
        )  # fmt: skip
        session.add(ding)
        session.flush()
        ding_id = ding.id
    at = open_page("pages/risk.py", actors[Role.PRINCIPAL])
    assert not at.exception
    assert ("**丁娃**", "child_profile", f"child={ding_id}") in links(at)
    # 丁 is an unpaired key child: 安排结对 beside that reason (丙 is paired: none for 丙).
    arrange = [q for label, page, q in links(at) if label == "安排结对" and page == "pairings"]
    assert arrange == [f"child={ding_id}"]
    # The counsellor reads the list but arranges no pairing.
    at = open_page("pages/risk.py", actors[Role.COUNSELLOR])
    assert not at.exception
    assert ("**丁娃**", "child_profile", f"child={ding_id}") in links(at)
    assert not any(label == "安排结对" for label, _p, _q in links(at))


def test_a_child_in_the_contacts_list_opens_the_profile(school, app_env):
    actors, ids = school
    with write_session(app_env) as session:
        kept = session.get(Child, ids["丙"])
        log_contact(session, kept, date(2026, 11, 3), Counterpart.CHILD, ContactChannel.MEETING)
    at = open_page("pages/contacts.py", actors[Role.PRINCIPAL])
    assert not at.exception
    pick = at.selectbox(key="contacts.profile_pick")
    assert list(pick.options) == ["丙娃（4年级(1)班）"]
    next(b for b in at.button if b.key == "contacts.open_profile").click().run()
    assert not at.exception
    assert at.query_params["child"] in (str(ids["丙"]), [str(ids["丙"])])
    assert at.selectbox(key="profile.picker").value == ids["丙"]
