"""成绩录入 in a real browser (Chromium): the head teacher types a score into her class's grid,
saves, reloads and sees it stored and ranked; a refused cell stays, with the pickers locked."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import read_session
from db.growth_models import TermResult
from db.models import Child, Classroom, Term, User
from services.growth.results import result_specs
from tests.e2e import grid
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000


def _centre_x(subject: str, grid_width: float) -> float:
    """Halfway into the subject's column. The grid is stretched to the page: each column gets
    its width (ColumnSpec.display_width, zh_CN; the id column 60 px) plus an even share of the
    room left over (no row markers: the grid adds and deletes no rows)."""
    specs = result_specs(["语文", "数学", "英语"])
    widths = [60, *(s.display_width for s in specs)]
    extra = max(0.0, (grid_width - sum(widths)) / len(widths))
    index = 1 + [s.field for s in specs].index(f"subject_{subject}")
    return sum(w + extra for w in widths[:index]) + (widths[index] + extra) / 2


def first_child_of_head_teacher(engine):  # type: ignore[no-untyped-def]
    """The head teacher's class's first child in the grid's order (by 学籍号)."""
    with read_session(engine) as session:
        return session.execute(
            select(Child.id, Child.name, Child.student_no)
            .join(Classroom, Classroom.id == Child.classroom_id)
            .join(User, User.id == Classroom.head_teacher_id)
            .where(User.username == "head_teacher", Child.deleted_at.is_(None),
                   Child.enrolment_status == "enrolled")
            .order_by(Child.student_no)
        ).first()  # fmt: skip


def stored_chinese(engine, child_id: int):  # type: ignore[no-untyped-def]
    """(score, percentile) of the child's 语文 in the term the page opens on (today's)."""
    with read_session(engine) as session:
        return session.execute(
            select(TermResult.score, TermResult.percentile)
            .join(Term, Term.id == TermResult.term_id)
            .where(
                TermResult.child_id == child_id,
                TermResult.subject == "语文",
                TermResult.deleted_at.is_(None),
                Term.start_date <= date.today(),
            )
            .order_by(Term.start_date.desc())
            .limit(1)
        ).all()


def open_results(page: Page, student_no: str) -> None:
    page.get_by_role("link", name="成绩录入").click()
    wait_idle(page)
    grid.wait_for_cell(page, student_no)


def head_teacher_opens_results(page: Page, base_url: str, student_no: str) -> None:
    login(page, base_url, "head_teacher")
    open_results(page, student_no)


def type_into_first_row(page: Page, subject: str, value: str) -> None:
    grid.type_into_cell(page, lambda width: _centre_x(subject, width), value)


def test_head_teacher_types_a_score_saves_and_sees_it_after_reload(live_server, page, engine):
    child = first_child_of_head_teacher(engine)
    stored = stored_chinese(engine, child.id)
    new = "137" if not stored or stored[0][0] != 137 else "136"  # a value it does not hold yet
    head_teacher_opens_results(page, live_server.url, child.student_no)

    type_into_first_row(page, "语文", new)
    grid.press_save_and_see(page, "已保存：新增 0 行，修改 1 行")
    ((score, percentile),) = stored_chinese(engine, child.id)
    assert score == float(new) and percentile is not None

    grid.see_after_reload(page, lambda: open_results(page, child.student_no), new)
    screenshot(page, "growth_results_saved")


def test_a_bad_cell_is_named_and_nothing_is_saved(live_server, page, engine):
    child = first_child_of_head_teacher(engine)
    before = stored_chinese(engine, child.id)
    head_teacher_opens_results(page, live_server.url, child.student_no)

    type_into_first_row(page, "数学", "160")
    grid.wait_for_cell(page, "160")
    grid.press_save_and_see(page, "未保存任何内容")
    grid.wait_for_cell(page, "分数应在 0 到 150 之间")
    assert stored_chinese(engine, child.id) == before
    # The refused edit stays on screen, so the term and class cannot be changed under it.
    for label in ("学期", "班级"):
        expect(page.get_by_role("combobox", name=label)).to_be_disabled(timeout=WAIT_MS)
    screenshot(page, "growth_results_invalid")
