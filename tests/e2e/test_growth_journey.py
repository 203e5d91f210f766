"""成长记录 end to end in Chromium (issue 17's done-when): the head teacher imports her class's
results sheet in the browser; the child's 一人一档 shows the new mean percentile and the
principal's 关爱成效 shows the school's figures — each equal to what the services compute from
the database after the import (one definition: child_terms, outcome_figures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine, read_session
from db.enums import EnrolmentStatus
from db.growth_models import TermResult
from db.models import Child, Term, User
from services.actor import load_actor
from services.clock import school_today
from services.growth.terms import child_terms
from services.metrics.outcome import outcome_figures, shown_measure
from services.metrics.scope import EVERYONE, term_period
from tests.e2e.conftest import login, screenshot, wait_idle

pytestmark = pytest.mark.e2e

WAIT_MS = 60_000
SUBJECT = "科学"  # a subject the demo has no results in: every row of the sheet is new


def class_children(database_url: str) -> tuple[str, list[tuple[int, str, str]]]:
    """(current term's name, [(id, 学籍号, name)] of the head teacher's first class)."""
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            user_id = session.scalar(select(User.id).where(User.username == "head_teacher"))
            actor = load_actor(session, user_id)
            today = school_today()
            term = session.scalar(
                select(Term.name).where(
                    Term.school_id == actor.school_id,
                    Term.start_date <= today,
                    Term.end_date >= today,
                )
            )
            rows = session.execute(
                select(Child.id, Child.student_no, Child.name)
                .where(
                    Child.classroom_id == min(actor.head_of_classroom_ids),
                    Child.enrolment_status == EnrolmentStatus.ENROLLED,
                    Child.deleted_at.is_(None),
                )
                .order_by(Child.student_no)
            ).all()
            return term, [tuple(r) for r in rows]
    finally:
        engine.dispose()


def results_sheet(path: Path, children: list[tuple[int, str, str]]) -> None:
    """The class's sheet as a school has it: a title row, then 学籍号, 姓名 and the subject; the
    first child tops the class."""
    book = Workbook()
    sheet = book.active
    sheet.append(["三年级(1)班 科学期中成绩"])
    sheet.append(["学籍号", "姓名", SUBJECT])
    for index, (_, student_no, name) in enumerate(children):
        sheet.append([student_no, name, 100 if index == 0 else 60 + index % 30])
    book.save(path)


def test_an_imported_sheet_shows_on_the_profile_and_the_outcome_view(
    live_server, page: Page, tmp_path: Path
) -> None:
    term_name, children = class_children(live_server.database_url)
    assert term_name and len(children) >= 10
    sheet = tmp_path / "科学成绩.xlsx"
    results_sheet(sheet, children)

    login(page, live_server.url, "head_teacher")
    page.get_by_role("link", name="成绩录入").click()
    wait_idle(page)
    page.get_by_role("tab", name="导入成绩表").click()
    wait_idle(page)
    page.locator("input[type=file]").set_input_files(str(sheet))
    expect(page.get_by_text("将为").first).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="确认导入成绩").click()
    wait_idle(page, timeout=WAIT_MS)
    expect(page.get_by_text("已导入成绩").first).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "growth_journey_imported")

    top_id = children[0][0]
    engine = make_engine(live_server.database_url)
    try:
        with read_session(engine) as session:
            written = session.scalars(
                select(TermResult.percentile).where(
                    TermResult.subject == SUBJECT, TermResult.deleted_at.is_(None)
                )
            ).all()
            frame = child_terms(session, [Child.id == top_id])
            principal = load_actor(
                session, session.scalar(select(User.id).where(User.username == "principal"))
            )
            term = session.scalars(
                select(Term).where(Term.school_id == principal.school_id, Term.name == term_name)
            ).one()
            period = term_period(term.name, term.start_date, term.end_date)
            figures = outcome_figures(session, principal, EVERYONE, period, school_today())
    finally:
        engine.dispose()
    assert len(written) == len(children) and max(written) > 95  # the top child's 科学
    mean = frame[frame["term_name"] == term_name].iloc[0]["percentile"]

    page.goto(f"{live_server.url}/child_profile?child={top_id}")
    wait_idle(page)
    page.get_by_role("tab", name="成长记录").click()
    wait_idle(page)
    cell = page.get_by_role("gridcell", name=f"{mean:.1f}", exact=True, include_hidden=True)
    expect(cell.first).to_be_attached(timeout=WAIT_MS)
    screenshot(page, "growth_journey_profile")

    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    login(page, live_server.url, "principal")
    page.get_by_role("link", name="关爱成效").click()
    wait_idle(page, timeout=WAIT_MS)
    expect(page.get_by_role("heading", name=term_name).first).to_be_visible(timeout=WAIT_MS)
    left_behind = shown_measure(figures.row(term_name, "left_behind"), "percentile")
    classmates = shown_measure(figures.row(term_name, "classmates"), "percentile")
    for value in (left_behind, classmates):
        shown = page.get_by_role("gridcell", name=value, exact=True, include_hidden=True)
        expect(shown.first).to_be_attached(timeout=WAIT_MS)
    screenshot(page, "growth_journey_outcome")
