"""AppTest: 总览, 我的待办, 重点关注 and the settings page, for every role that may open them."""

import json
from datetime import date, timedelta

import pytest

from db.enums import ContactChannel, Counterpart, LeftBehindType, Role
from db.models import AuditEntry, ContactRule, Term
from services.compliance.default_rules import install_default_rules
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.pages.apptest import metrics, run_page, texts
from tests.services.compliance_helpers import log_contact, make_rule

TODAY = date.today()


def _term_around_today(session, school, today=TODAY):
    start, end = today - timedelta(days=70), today + timedelta(days=50)
    term = Term(
        school_id=school.id,
        name="本学期",
        start_date=start,
        end_date=end,
        holidays=[],
        start_phase_from=start,
        start_phase_to=start + timedelta(days=20),
        middle_phase_from=start + timedelta(days=50),
        middle_phase_to=start + timedelta(days=80),
        end_phase_from=end - timedelta(days=20),
        end_phase_to=end,
    )
    session.add(term)
    session.flush()
    return term


@pytest.fixture
def school_case(app_env, session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER, display_name="甲老师")
    room = make_classroom(session, school, head=head)
    since = _term_around_today(session, school).start_date  # on the books since the term began
    install_default_rules(session, school.id)
    contacted = make_child(session, school, room, name="王小明", enrolled_on=since)
    make_child(session, school, room, name="李小红", enrolled_on=since)
    make_child(session, school, room, LeftBehindType.NONE, name="赵小刚", enrolled_on=since)
    log_contact(session, contacted, TODAY, Counterpart.GUARDIAN, ContactChannel.PHONE)
    users = {role: make_user(session, school, role) for role in Role if role != Role.BUREAU}
    users[Role.HEAD_TEACHER] = head
    users[Role.BUREAU] = make_user(session, None, Role.BUREAU, county=school.county)
    session.commit()
    return {role: actor_of(session, user) for role, user in users.items()}


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.ADMIN, Role.BUREAU])
def test_dashboard_shows_kpis_and_six_charts(school_case, role):
    at = run_page("pages/dashboard.py", school_case[role])
    shown = metrics(at)
    assert shown["在校生总数"] == "3"
    assert shown["留守儿童占比"] == "66.7%"
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).month
    assert f"{last_month}月联系达标率" in shown and "本学期至今联系达标率" in shown
    # Today's contact is progress of the running month, not a rate.
    progress = at.get("progress")[0].proto.text
    assert progress.startswith("本月进行中：已完成 1 / 应完成 ")
    titles = [
        json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")
    ]
    assert len(at.get("plotly_chart")) == 6
    expected = "各校联系达标率" if role == Role.BUREAU else "各责任教师联系达标率"
    assert expected in titles
    assert at.selectbox(key="dashboard_term").value == 0


def test_early_in_a_month_the_dashboard_shows_progress_not_a_failure(app_env, session):
    """Every ended month fully met, nothing yet this month: no 0 %, no column for this month."""
    school = make_school(session)
    room = make_classroom(session, school, head=make_user(session, school, Role.HEAD_TEACHER))
    term = _term_around_today(session, school)
    make_rule(session, school, "每月与监护人沟通", [Counterpart.GUARDIAN], [])
    kids = [make_child(session, school, room, enrolled_on=term.start_date) for _ in range(2)]
    month = term.start_date.replace(day=1)
    while month < TODAY.replace(day=1):
        day = max(month.replace(day=15), term.start_date)
        for kid in kids:
            log_contact(session, kid, day, Counterpart.GUARDIAN, ContactChannel.PHONE)
        month = (month + timedelta(days=32)).replace(day=1)
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    session.commit()

    at = run_page("pages/dashboard.py", principal)

    assert not at.exception
    rates = {m.label: m.value for m in at.metric if "达标率" in m.label}
    assert rates and all(value == "100.0%" for value in rates.values())
    assert at.get("progress")[0].proto.text.startswith("本月进行中：已完成 0 / 应完成 2")
    this_month = TODAY.strftime("%Y-%m")
    for chart in at.get("plotly_chart")[:2]:  # the heat map and the trend lines
        months = {x for trace in json.loads(chart.proto.spec)["data"] for x in trace.get("x", [])}
        assert months and this_month not in months


def test_dashboard_refuses_a_teacher(school_case):
    at = run_page("pages/dashboard.py", school_case[Role.TEACHER])
    assert at.exception


def test_todo_lists_missing_contacts_and_prefills_the_contact_form(school_case):
    at = run_page("pages/todo.py", school_case[Role.HEAD_TEACHER])
    assert not at.exception
    shown = texts(at)
    assert "李小红" in shown and "每月与监护人沟通" in shown
    button = next(b for b in at.button if b.key.startswith("log_"))
    at = button.click().run()
    prefill = at.session_state["contact_prefill"]
    assert set(prefill) == {"child_id", "counterpart", "channel"}


def test_teacher_without_paired_children_has_an_empty_todo(school_case):
    at = run_page("pages/todo.py", school_case[Role.TEACHER])
    assert not at.exception
    assert "本月没有待办" in texts(at)


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.ADMIN, Role.HEAD_TEACHER, Role.COUNSELLOR])
def test_risk_page_lists_children_with_reasons(school_case, role):
    at = run_page("pages/risk.py", school_case[role])
    assert not at.exception
    shown = texts(at)  # one row per child: the name, then each reason (and its action)
    assert "李小红" in shown
    assert "本学期未参加关爱活动" in shown


def test_risk_page_in_demo_mode_shows_counts_per_class_and_no_child(school_case, session):
    """Issue 13 item 10: no single child and no counselling-derived reason on the projector."""
    from db.enums import RiskLevel
    from db.models import Child, CounsellingNote

    kid = session.query(Child).filter_by(name="李小红").one()
    session.add(
        CounsellingNote(school_id=kid.school_id, child_id=kid.id, note_date=TODAY,
                        summary="…", risk_level=RiskLevel.HIGH)
    )  # fmt: skip
    session.commit()
    at = run_page("pages/risk.py", school_case[Role.PRINCIPAL], demo_mode=True)
    assert not at.exception
    table = at.dataframe[0].value
    shown = " ".join(map(str, table.to_numpy().ravel())) + texts(at)
    assert "李" not in shown and "王" not in shown
    assert "心理辅导" not in shown
    assert "child_name" not in table.columns
    assert table["children"].tolist() == [2]


def test_settings_lists_rules_and_saves_a_term_with_audit(school_case, session):
    at = run_page("pages/settings.py", school_case[Role.ADMIN])
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any("期中家访" in label for label in labels)
    new_term_name = next(w for w in at.text_input if w.label == "学期名称" and w.value == "")
    new_term_name.set_value("下学期")
    form_buttons = [b for b in at.button if b.label == "保存"]
    at = form_buttons[-1].click().run()
    assert not at.exception
    assert "已保存" in texts(at)
    session.rollback()  # end the test's read snapshot
    assert session.query(Term).filter_by(name="下学期").count() == 1
    assert session.query(AuditEntry).filter_by(entity="term").count() == 1


def test_settings_installs_default_rules_when_there_are_none(app_env, session):
    school = make_school(session)
    admin = actor_of(session, make_user(session, school, Role.ADMIN))
    session.commit()
    at = run_page("pages/settings.py", admin)
    at = next(b for b in at.button if b.label == "安装默认规则").click().run()
    assert not at.exception
    session.rollback()  # end the test's read snapshot
    assert session.query(ContactRule).filter_by(school_id=school.id).count() == 7


def test_progress_days_left_counts_today_and_says_so(app_env, session, monkeypatch):
    """On 2 December 2026 the running month has 30 days left with today (2..31): say 含今天."""
    fixed = date(2026, 12, 2)
    monkeypatch.setattr("services.clock.school_today", lambda now=None: fixed)
    school = make_school(session)
    room = make_classroom(session, school, head=make_user(session, school, Role.HEAD_TEACHER))
    start = _term_around_today(session, school, fixed).start_date  # ends after December
    make_rule(session, school, "每月与监护人沟通", [Counterpart.GUARDIAN], [])
    make_child(session, school, room, enrolled_on=start)
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    session.commit()

    at = run_page("pages/dashboard.py", principal)

    assert not at.exception
    assert at.get("progress")[0].proto.text.endswith("剩余 30 天（含今天）")
