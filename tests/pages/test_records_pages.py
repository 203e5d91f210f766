"""AppTest per records page and role: it renders, and each role sees what it should."""

import pytest

from db.engine import write_session
from tests.pages.apptest import run_page, texts
from tests.services.records_helpers import School


@pytest.fixture
def school(app_env):
    with write_session(app_env) as session:
        s = School(session)
        s.child(name="本班娃", father_phone="13900000001")
        other = s.child(s.class2, name="别班娃")
        s.pair(s.teacher_user, other)
        actors = {
            "principal": s.principal,
            "admin": s.admin,
            "head_teacher": s.head,
            "teacher": s.teacher,
            "counsellor": s.counsellor,
        }
    return actors


def grid_names(at) -> list[str]:
    frame = at.dataframe[0].value
    return sorted(frame["name"].tolist())


@pytest.mark.parametrize("role", ["principal", "admin"])
def test_archive_leaders_see_every_child_and_can_save(school, role):
    at = run_page("pages/children.py", school[role])
    assert not at.exception
    assert grid_names(at) == ["别班娃", "本班娃"]
    assert "建档率" in texts(at)
    assert [b.label for b in at.button][:2] == ["保存", "放弃修改"]


def test_archive_head_teacher_sees_own_class(school):
    at = run_page("pages/children.py", school["head_teacher"])
    assert not at.exception
    assert grid_names(at) == ["本班娃"]
    assert "最近删除" not in texts(at)


def test_archive_counsellor_reads_only(school):
    at = run_page("pages/children.py", school["counsellor"])
    assert not at.exception
    assert grid_names(at) == ["别班娃", "本班娃"]
    assert "不能修改" in texts(at)
    assert "保存" not in [b.label for b in at.button]


def test_archive_search_filters_the_grid(school):
    at = run_page("pages/children.py", school["principal"])
    at.text_input(key="children.filters.search").input("13900000001").run()
    assert grid_names(at) == ["本班娃"]
    assert "共 1 条" in texts(at)


def test_contacts_teacher_picks_only_paired_children_and_saves_in_one_tap(school, app_env):
    from sqlalchemy import select

    from db.engine import read_session
    from db.models import Contact

    at = run_page("pages/contacts.py", school["teacher"])
    assert not at.exception
    picker = at.selectbox[0]
    assert list(picker.options) == ["别班娃（4年级(1)班）"]
    at.text_area[0].input("电话联系了奶奶")
    at.button[0].click().run()
    assert "已保存" in texts(at)
    with read_session(app_env) as session:
        saved = session.execute(select(Contact.summary, Contact.teacher_id)).all()
    assert [tuple(row) for row in saved] == [("电话联系了奶奶", school["teacher"].user_id)]
    assert at.dataframe[0].value["summary"].tolist() == ["电话联系了奶奶"]


@pytest.mark.parametrize("role", ["principal", "admin", "head_teacher"])
def test_contacts_page_for_editors(school, role):
    at = run_page("pages/contacts.py", school[role])
    assert not at.exception
    assert "保存这次联系" in [b.label for b in at.button]


def test_contacts_counsellor_reads_only(school):
    at = run_page("pages/contacts.py", school["counsellor"])
    assert not at.exception
    assert "不能修改" in texts(at)
    assert "保存这次联系" not in [b.label for b in at.button]


@pytest.mark.parametrize("role", ["principal", "admin"])
def test_pairings_leaders_assign_from_the_unpaired_list(school, role, app_env):
    from sqlalchemy import func, select

    from db.engine import read_session
    from db.models import Child, Pairing

    with read_session(app_env) as session:
        unpaired_id = session.scalar(select(Child.id).where(Child.name == "本班娃"))
    at = run_page("pages/pairings.py", school[role])
    assert not at.exception
    assert "尚未结对的留守儿童（1 名" in texts(at)
    assert at.multiselect[0].options == ["本班娃（3年级(1)班）"]
    at.multiselect[0].select(unpaired_id)
    next(b for b in at.button if b.label == "结对").click().run()
    assert "已为" in texts(at)
    with read_session(app_env) as session:
        assert session.scalar(select(func.count()).select_from(Pairing)) == 2
    assert "所有在读留守儿童都已结对" in texts(at)


def test_pairings_head_teacher_reads_only(school):
    at = run_page("pages/pairings.py", school["head_teacher"])
    assert not at.exception
    assert "结对由校领导安排" in texts(at)
    assert [b.label for b in at.button] == []
    # The school's teacher loads and their warning are for the leaders who arrange pairings.
    assert "教师结对人数" not in texts(at)
    assert "负担过重" not in texts(at)


@pytest.mark.parametrize("role", ["principal", "admin", "head_teacher", "teacher", "counsellor"])
def test_profile_opens_for_every_school_role(school, role):
    at = run_page("pages/child_profile.py", school[role])
    assert not at.exception
    assert "一人一档" in texts(at)
    tabs = [tab.label for tab in at.tabs]
    assert ("心理辅导" in tabs) == (role in ("principal", "admin", "counsellor"))
    assert ("资助" in tabs) == (role not in ("counsellor", "teacher"))  # §5: no aid detail


def test_profile_teacher_picks_only_paired_children(school):
    at = run_page("pages/child_profile.py", school["teacher"])
    assert list(at.selectbox[0].options) == ["别班娃（4年级(1)班）"]
    assert "登记一次联系" in [b.label for b in at.button]
    assert "编辑档案" not in [b.label for b in at.button]


def test_profile_counselling_notes_shown_only_on_request_and_audited(school, app_env):
    from sqlalchemy import func, select

    from db.engine import read_session
    from db.enums import AuditAction
    from db.models import AuditEntry

    def views() -> int:
        with read_session(app_env) as session:
            return session.scalar(
                select(func.count()).where(AuditEntry.action == AuditAction.VIEW_RESTRICTED)
            )

    at = run_page("pages/child_profile.py", school["counsellor"])
    assert views() == 0
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert views() == 1


def test_contacts_child_preselected_from_the_profile_is_the_one_saved(school, app_env):
    from sqlalchemy import select

    from db.engine import read_session
    from db.models import Child, Contact

    with read_session(app_env) as session:
        wanted = session.scalar(select(Child.id).where(Child.name == "别班娃"))
    at = run_page("pages/contacts.py", school["principal"], **{"contacts.child_id": wanted})
    assert at.selectbox(key="contacts.quick.child").value == wanted
    at.text_area[0].input("从一人一档来")
    next(b for b in at.button if b.label == "保存这次联系").click().run()
    with read_session(app_env) as session:
        saved = session.execute(select(Contact.child_id, Contact.summary)).all()
    assert [tuple(row) for row in saved] == [(wanted, "从一人一档来")]


def test_contacts_prefill_from_the_todo_list(school, app_env):
    from sqlalchemy import select

    from db.engine import read_session
    from db.models import Child

    with read_session(app_env) as session:
        wanted = session.scalar(select(Child.id).where(Child.name == "别班娃"))
    prefill = {"child_id": wanted, "counterpart": "father", "channel": "phone"}
    at = run_page("pages/contacts.py", school["principal"], contact_prefill=prefill)
    assert at.selectbox(key="contacts.quick.child").value == wanted
    assert at.selectbox(key="contacts.quick.channel").value == "phone"
    assert at.selectbox(key="contacts.quick.counterpart").value == "father"


def test_contacts_counterpart_defaults_to_the_guardian(school):
    at = run_page("pages/contacts.py", school["head_teacher"])
    assert at.selectbox(key="contacts.quick.counterpart").value == "guardian"


def test_archive_grade_and_key_filters(school):
    at = run_page("pages/children.py", school["principal"])
    at.selectbox(key="children.filters.grade").set_value(4).run()
    assert grid_names(at) == ["别班娃"]
    at.selectbox(key="children.filters.key").set_value("yes").run()
    assert "共 0 条" in texts(at)


def test_archive_cards_say_they_count_left_behind_children(school):
    at = run_page("pages/children.py", school["principal"])
    labels = [m.label for m in at.metric]
    assert "留守儿童档案齐全" in labels
    assert "留守儿童档案缺项" in labels
