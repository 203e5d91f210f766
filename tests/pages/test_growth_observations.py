"""AppTest of 成长观察: the head teacher's class grid, the paired teacher's children, the legend.
(AppTest cannot drive st.data_editor: saving is tested in tests/services, and in the browser.)"""

import pytest

from db.engine import write_session
from db.models import User
from services.growth.observations import save_observations
from services.records.grid_rows import GridChanges, RowUpdate
from tests.factories import make_pairing
from tests.pages.apptest import run_page, texts
from tests.services.care_helpers import make_care_school_now

PAGE = "pages/growth_observations.py"


@pytest.fixture
def school(app_env):
    """The care school, its term around today; the teacher paired with 乙0; 甲0 rated."""
    with write_session(app_env) as session:
        s, term = make_care_school_now(session)
        make_pairing(session, session.get(User, s.teacher.user_id), s.children_b[0], term)
        first = s.children_a[0]
        values = {"study": "4", "emotion": "2", "habits": "3", "self_care": "5", "note": "爱笑了"}
        changes = GridChanges(updates=[RowUpdate(first.id, 0, first.name, values)])
        save_observations(session, s.head, changes, term.id, s.class_a.id)
    return s


def test_head_teacher_sees_her_class_with_the_saved_ratings(school):
    at = run_page(PAGE, school.head)
    assert not at.exception
    assert at.selectbox(key="growth_observations.classroom").options == [school.class_a.name]
    text = texts(at)
    assert "| 学习 | 情绪 | 行为习惯 | 生活自理 |" in text and "基本完成学习任务" in text  # legend
    assert "保存" in [b.label for b in at.button]
    assert "四项评分需一并填写" in text
    assert "本学期已填写 1 / 3 名留守儿童的成长观察" in text
    grid = at.dataframe[0].value
    assert grid["name"].tolist() == ["甲0", "甲1", "甲2"]
    assert grid["study"].tolist()[0] == "4 认真主动，成绩稳定"
    assert grid["note"].tolist()[0] == "爱笑了"


def test_paired_teacher_gets_her_children_without_a_class_picker(school):
    at = run_page(PAGE, school.teacher)
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "growth_observations.classroom"]
    assert "您本学期结对帮扶的留守儿童" in texts(at)
    assert at.dataframe[0].value["name"].tolist() == ["乙0"]
    assert "保存" in [b.label for b in at.button]


def test_principal_picks_any_class_and_an_empty_class_says_so(school, app_env):
    at = run_page(PAGE, school.principal)
    assert not at.exception
    picker = at.selectbox(key="growth_observations.classroom")
    assert picker.options == [school.class_a.name, school.class_b.name]
    with write_session(app_env) as session:
        for child in school.children_b:
            session.get(type(child), child.id).left_behind_type = "none"
    at = picker.select(school.class_b.id).run()
    assert not at.exception
    assert "这个班没有在读的留守儿童" in texts(at)
