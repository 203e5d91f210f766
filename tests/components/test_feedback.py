"""The one feedback path: feedback.submit runs a page action in one write transaction and turns
its outcome into one message (AppTest of a tiny page that writes a school, then fails or not)."""

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components.context import ACTOR_KEY
from db.engine import read_session
from db.enums import Role
from db.models import School
from services.actor import Actor

PRINCIPAL = Actor(1, "principal", "王校长", Role.PRINCIPAL, 1)


def _page() -> None:
    """Writes one school, then ends as `st.session_state["outcome"]` says."""
    import streamlit as st

    from components import feedback
    from services.errors import Conflict, ConflictError, NotAllowed, Problem, ValidationFailed
    from tests.factories import make_school

    def action(session):  # type: ignore[no-untyped-def]
        make_school(session, name="新学校")
        outcome = st.session_state["outcome"]
        if outcome == "invalid":
            raise ValidationFailed([Problem("张三", "监护人电话", "12345", "spec.reason.phone")])
        if outcome == "conflict":
            raise ConflictError([Conflict("张三", 1, "李老师", None)])
        if outcome == "not_allowed":
            raise NotAllowed("teacher may not")
        return "ok"

    feedback.page_start("反馈测试")
    if st.button("保存"):
        st.session_state["result"] = repr(feedback.submit(action, success="已保存"))


def press_save(outcome: str) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=30)
    at.session_state[ACTOR_KEY] = PRINCIPAL
    at.session_state["outcome"] = outcome
    at.run()
    return at.button[0].click().run()


def schools(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return list(session.scalars(select(School.name)))


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_a_successful_action_is_written_and_its_notice_survives_the_rerun(app_env):
    at = press_save("ok")
    assert not at.exception
    assert [s.value for s in at.success] == ["已保存"]
    assert schools(app_env) == ["新学校"]
    assert "result" not in at.session_state  # the rerun came before the line after submit
    at.run()
    assert not at.success  # shown once


def test_validation_problems_are_listed_as_a_table_and_nothing_is_written(app_env):
    at = press_save("invalid")
    assert not at.exception
    assert errors(at) == ["有 1 处数据不符合要求，未保存任何内容。请修改后重试："]
    table = at.dataframe[0].value
    assert list(table.columns) == ["行", "列", "填写的值", "原因"]
    assert table.iloc[0].tolist()[:3] == ["张三", "监护人电话", "12345"]
    assert table.iloc[0, 3].startswith("电话格式不对")
    assert at.session_state["result"] == "FAILED"
    assert not at.success
    assert schools(app_env) == []


def test_a_conflict_says_how_many_rows_someone_else_changed(app_env):
    at = press_save("conflict")
    assert not at.exception
    assert errors(at) == ["有 1 行已被他人修改，未覆盖任何内容："]
    assert schools(app_env) == []


def test_not_allowed_is_one_translated_message(app_env):
    at = press_save("not_allowed")
    assert not at.exception
    assert errors(at) == ["您没有权限执行此操作。"]
    assert not at.dataframe
    assert schools(app_env) == []


def _reading_page() -> None:
    """Reads something it may not; the page stops after the message."""
    import streamlit as st

    from components import feedback
    from services.errors import NotAllowed

    def forbidden(session):  # type: ignore[no-untyped-def]
        raise NotAllowed("bureau sees aggregates only")

    own = st.session_state.get("own_message")
    feedback.load_or_stop(forbidden, message=own)
    st.write("页面其余部分")


def test_a_refused_read_shows_one_message_and_stops_the_page(app_env):
    at = AppTest.from_function(_reading_page, default_timeout=30).run()
    assert not at.exception
    assert errors(at) == ["您没有权限执行此操作。"]
    assert not at.markdown  # nothing after the read ran


def test_a_refused_read_can_be_told_in_the_page_own_words(app_env):
    at = AppTest.from_function(_reading_page, default_timeout=30)
    at.session_state["own_message"] = "无法查看这名学生"
    at.run()
    assert errors(at) == ["无法查看这名学生"]
