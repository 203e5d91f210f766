"""演示模式 (DESIGN.md §7): principal/admin switch it on in the sidebar; pages with children's
records stay closed, the rest show aggregates or masked names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components import navigation
from db.enums import Role
from services.compliance.risk import risk_list
from tests.components.test_auth import clock, run, sign_in  # noqa: F401  (a fixture)
from tests.components.test_auth import school as school
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.pages.apptest import texts

HIDDEN = "演示模式已开启"


def open_app():  # type: ignore[no-untyped-def]
    from tests.components.test_auth import open_app as open_

    return open_()


def test_only_aggregate_or_masked_pages_are_demo_safe():
    titles = navigation.demo_safe_titles(Role.PRINCIPAL)
    assert {"总览", "首页", "重点关注", "报表导出"} <= titles
    assert not titles & {"儿童档案", "一人一档", "家校联系记录", "心理辅导记录", "资助"}


def test_principal_switches_demo_mode_on_and_the_dashboard_stays_open(school):
    at = sign_in(open_app(), "principal")
    at.toggle(key="demo_mode_switch").set_value(True)
    at = run(at)
    assert not at.exception
    assert at.session_state["demo_mode"] is True  # kept outside the widget: survives page changes
    assert HIDDEN not in texts(at)  # 总览 is aggregates only
    # Closing the archive in demo mode is shown in a real browser: tests/e2e/test_smoke.py.


def test_demo_mode_is_not_offered_to_a_head_teacher(school):
    at = sign_in(open_app(), "head_teacher")
    assert not at.exception
    assert [t for t in at.toggle if t.key == "demo_mode_switch"] == []


@pytest.mark.parametrize("demo", [False, True])
def test_the_risk_list_masks_names_in_demo_mode(session, demo):
    school_ = make_school(session)
    room = make_classroom(session, school_)
    make_child(session, school_, room, name="王小明", guardian_phone=None)  # a reason to list
    principal = actor_of(session, make_user(session, school_, Role.PRINCIPAL))
    frame = risk_list(session, replace(principal, demo_mode=demo))
    assert list(frame["child_name"]) == (["王*明"] if demo else ["王小明"])
