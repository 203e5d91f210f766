"""AppTest for the care pages (activities, health, aid, counselling) per role that opens them."""

from datetime import date

import pytest
from sqlalchemy import select

from db.engine import write_session
from db.enums import AuditAction, RiskLevel
from db.models import AuditEntry, Participation
from services.care.aid import child_label, save_aid_changes
from services.care.counselling import NoteInput, create_note
from services.care.health import save_class_health
from services.records.specs import GridChanges, RowInsert, RowUpdate
from tests.pages.apptest import run_page, texts
from tests.services.care_helpers import make_activity, make_care_school_now

TODAY = date.today()


@pytest.fixture
def care(app_env):
    """The care school with a term around today, one activity and one record of each kind."""
    with write_session(app_env) as session:
        s, term = make_care_school_now(session)
        s.activity_id = make_activity(session, s.principal, [s.class_a, s.class_b], day=TODAY)
        first = s.children_a[0]
        save_class_health(
            session,
            s.principal,
            GridChanges(updates=[RowUpdate(first.id, 0, first.name, {"vision_left": 4.6})]),
            s.class_a.id,
            term.start_date,
            term.end_date,
            TODAY,
        )
        aid = RowInsert("x", {"child": child_label(first.name, first.student_no),
                              "kind": "sponsor", "sponsor": "王丽", "amount": 300})  # fmt: skip
        save_aid_changes(session, s.principal, GridChanges(inserts=[aid]), term.id)
        create_note(
            session,
            s.counsellor,
            NoteInput(s.children_b[0].id, TODAY, "想念妈妈，夜里哭", RiskLevel.HIGH),
        )
    return s


def labels(at) -> list[str]:
    return [c.label for c in at.checkbox]


# ---- activities -------------------------------------------------------------------------------


def section(at, name):
    return at.segmented_control(key="activities.section").set_value(name).run()


@pytest.mark.parametrize("role", ["principal", "admin"])
def test_activities_leaders_edit_the_list_and_sign_in_every_class(care, role):
    at = run_page("pages/activities.py", getattr(care, role))
    assert not at.exception
    assert at.dataframe[0].value["title"].tolist() == ["六一游园会"]
    assert "保存" in [b.label for b in at.button]
    assert not at.checkbox  # the sign-in panel does not run while the list is shown
    section(at, "signin")
    assert labels(at).count("全选本班") == 2
    assert any("留守" in label for label in labels(at))


def test_activities_sign_in_whole_class_in_one_save(care, app_env):
    at = section(run_page("pages/activities.py", care.principal), "signin")
    at.checkbox(key=f"signin.{care.activity_id}.class.{care.class_a.id}").check().run()
    at.button(key=f"signin.{care.activity_id}.save").click().run()
    assert not at.exception
    assert "签到已保存：共 4 人参加" in texts(at)
    with write_session(app_env) as session:
        rows = session.scalars(select(Participation.child_id)).all()
    assert sorted(rows) == sorted(c.id for c in care.children_a)

    section(at, "participation")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["留守儿童参与率"] == "75.0%"  # 3 of the 4 left-behind children
    assert metrics["非留守儿童参与率"] == "33.3%"  # 1 of 3
    assert (metrics["活动次数"], metrics["参加人次"]) == ("1", "4")
    assert "尚未参加任何活动的留守儿童（1 人）" in texts(at)


def test_activities_head_teacher_signs_in_own_class_only(care):
    at = run_page("pages/activities.py", care.head)
    assert not at.exception
    assert labels(at).count("全选本班") == 1
    names = " ".join(labels(at))
    assert "甲0" in names and "乙0" not in names
    section(at, "list")
    assert "保存" not in [b.label for b in at.button]  # the list is read-only
    assert "活动由校领导或管理员登记" in texts(at)


# ---- health -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["principal", "admin", "head"])
def test_health_batch_grid_flags_and_coverage(care, role):
    at = run_page("pages/health.py", getattr(care, role))
    assert not at.exception
    grid = at.dataframe[0].value
    assert grid["name"].tolist() == ["甲0", "甲1", "甲2", "甲3"]
    assert grid["flags"].iloc[0] == "中度视力不良"
    assert "体检覆盖率" in texts(at)


def test_health_head_teacher_picks_only_own_class(care):
    at = run_page("pages/health.py", care.head)
    assert at.selectbox(key="health.classroom").options == [care.class_a.name]


def test_health_coverage_is_labelled_by_the_actors_scope(care):
    """全校 only for school-wide roles: the head teacher's figure counts his class alone."""
    labels = {m.label for m in run_page("pages/health.py", care.head).metric}
    assert "本班体检覆盖率" in labels and not any("全校" in label for label in labels)
    labels = {m.label for m in run_page("pages/health.py", care.principal).metric}
    assert "全校体检覆盖率" in labels


# ---- aid --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["principal", "admin"])
def test_aid_leaders_see_records_and_totals(care, role):
    at = run_page("pages/aid.py", getattr(care, role))
    assert not at.exception
    frame = at.dataframe[0].value
    assert frame["sponsor"].tolist() == ["王丽"]
    assert "保存" in [b.label for b in at.button]
    assert "300" in texts(at)


def test_aid_head_teacher_reads_own_class(care):
    at = run_page("pages/aid.py", care.head)
    assert not at.exception
    assert at.dataframe[0].value["sponsor"].tolist() == ["王丽"]
    assert "保存" not in [b.label for b in at.button]


# ---- counselling ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["counsellor", "principal", "admin"])
def test_counselling_page_lists_notes_and_audits_the_view(care, role, app_env):
    at = run_page("pages/counselling.py", getattr(care, role))
    assert not at.exception
    assert "想念妈妈" in at.dataframe[0].value["summary"].iloc[0]
    assert "1 名学生" in texts(at)
    with write_session(app_env) as session:
        viewers = session.scalars(
            select(AuditEntry.role).where(AuditEntry.action == AuditAction.VIEW_RESTRICTED)
        ).all()
    assert getattr(care, role).role.value in viewers


def test_counselling_page_refuses_a_head_teacher(care):
    at = run_page("pages/counselling.py", care.head)
    assert not at.dataframe
    assert "您没有权限" in texts(at)


def test_counsellor_writes_a_note_through_the_form(care, app_env):
    at = run_page("pages/counselling.py", care.counsellor)
    at.selectbox(key="counselling.new.classroom").select(care.class_a.id).run()
    at.selectbox(key="counselling.new.child").select(care.children_a[1].id).run()
    at.text_area[-1].input("每周谈心，情绪稳定")
    at.button[-1].click().run()
    assert not at.exception
    assert "辅导记录已保存" in texts(at)
    assert "每周谈心，情绪稳定" in at.dataframe[0].value["summary"].tolist()
