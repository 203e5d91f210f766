"""关爱成效 agrees everywhere (issue 17, "one figure, one definition"): the bureau report's
section 八 (read back from the .docx) prints exactly what the outcome page prints
(outcome_figures → outcome_view.term_table), for random roles, periods, days and scopes on a
seeded school with two terms of random results and observations, on SQLite and PostgreSQL; and
the bureau's report never shows a group of 1–9 children."""

from __future__ import annotations

import io
import random
import re
from datetime import date

import pytest
from docx import Document
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from components.outcome_view import term_table
from db.enums import EnrolmentStatus, LeftBehindType, Role
from db.growth_models import GrowthObservation, TermResult
from db.models import Child, School, Term
from seed.generator import SeedConfig, seed_database
from services.growth.ranking import rerank
from services.metrics.outcome import MIN_GROUP, outcome_figures
from services.metrics.scope import month_period, term_period, year_period
from services.reports import exports
from services.reports.data import ReportFilters
from tests.services.report_reading import docx_text
from tests.services.test_figures_agree import Case, actor_named, scope_of

SPRING = "2026年春季学期"
AUTUMN = term_period("2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20))
PERIODS = [month_period(2026, 11), month_period(2026, 5), AUTUMN, year_period(2026)]
DAYS = [date(2026, 10, 2), date(2026, 12, 2), date(2027, 1, 25)]
SUBJECTS = ("语文", "数学")


@pytest.fixture
def seeded(engine) -> Session:
    """The seeded school, a spring term before its autumn one, and random results (two
    subjects, 85 % of the children) and observations (80 % of left-behind children) in both."""
    seed_database(engine, SeedConfig(children=120))
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        for school_id in session.scalars(select(School.id)):
            add_spring(session, school_id)
        rng = random.Random(17)
        for term in session.scalars(select(Term).order_by(Term.id)).all():
            fill(session, term, rng)
        session.commit()
        yield session
        session.rollback()


def add_spring(session: Session, school_id: int) -> None:
    if session.scalar(select(Term.id).where(Term.school_id == school_id, Term.name == SPRING)):
        return
    session.add(
        Term(
            school_id=school_id, name=SPRING, holidays=[],
            start_date=date(2026, 2, 24), end_date=date(2026, 7, 10),
            start_phase_from=date(2026, 2, 24), start_phase_to=date(2026, 3, 20),
            middle_phase_from=date(2026, 4, 20), middle_phase_to=date(2026, 5, 15),
            end_phase_from=date(2026, 6, 15), end_phase_to=date(2026, 7, 10),
        )
    )  # fmt: skip
    session.flush()


def fill(session: Session, term: Term, rng: random.Random) -> None:
    """Random results and observations for the term, unless it has results already."""
    if session.scalar(select(func.count(TermResult.id)).where(TermResult.term_id == term.id)):
        return
    kids = session.execute(
        select(Child.id, Child.classroom_id, Child.left_behind_type).where(
            Child.school_id == term.school_id,
            Child.enrolment_status == EnrolmentStatus.ENROLLED,
        )
    ).all()
    groups = set()
    for child_id, room, kind in kids:
        if rng.random() < 0.85:
            for subject in SUBJECTS:
                session.add(
                    TermResult(school_id=term.school_id, child_id=child_id, term_id=term.id,
                               classroom_id=room, subject=subject,
                               score=float(rng.randint(40, 100)))
                )  # fmt: skip
                groups.add((term.school_id, term.id, room, subject))
        if kind != LeftBehindType.NONE and rng.random() < 0.8:
            scales = [rng.randint(1, 5) for _ in range(4)]
            session.add(
                GrowthObservation(school_id=term.school_id, child_id=child_id, term_id=term.id,
                                  study=scales[0], emotion=scales[1], habits=scales[2],
                                  self_care=scales[3])
            )  # fmt: skip
    session.flush()
    rerank(session, groups)


def report_tables(data: bytes) -> list[list[list[str]]]:
    """The .docx's 关爱成效 tables (headed 分组), each as rows of cells without the header."""
    tables = []
    for table in Document(io.BytesIO(data)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows[0][0] == "分组":
            tables.append(rows[1:])
    return tables


def section(text: str) -> str:
    return text[text.index("八、关爱成效") : text.index("九、存在的问题")]


def check_outcome(session: Session, case: Case) -> None:
    actor = actor_named(session, case.role)
    scope = scope_of(session, case, actor)
    filters = ReportFilters(scope.grade, scope.classroom_id)
    report = exports.export_bureau_docx(session, actor, case.period, filters, as_of=case.as_of).data
    text = section(docx_text(report))
    page = outcome_figures(session, actor, scope, case.period, case.as_of)

    terms = [term for term in page.terms if not term_table(page, term)["results"].eq("0").all()
             or not term_table(page, term)["observed"].eq("0").all()]  # fmt: skip
    if not terms:
        assert "本学期暂无成绩与观察数据" in text
        return
    tables = report_tables(report)
    assert len(tables) == 2 * len(terms)
    for i, term in enumerate(terms):
        shown = term_table(page, term)
        results, observations = tables[2 * i], tables[2 * i + 1]
        columns = ["group", "children", "results", "percentile", "compared", "change"]
        assert results == shown[columns].values.tolist()
        columns = ["group", "observed", "study", "emotion", "habits", "self_care"]
        assert observations == shown[columns].values.tolist()
        lb, mates = shown.iloc[0], shown.iloc[1]
        sentence = (f"{term}：留守儿童{lb.children}人，其中有成绩的{lb.results}人，平均百分位"
                    f"{lb.percentile}；非留守同学{mates.children}人，其中有成绩的{mates.results}"
                    f"人，平均百分位{mates.percentile}。")  # fmt: skip
        assert sentence in text
    assert "相关关系" in text
    if actor.role == Role.BUREAU:
        for number in re.findall(r"(?<![\d.<+-])(\d+)人", text):
            assert int(number) == 0 or int(number) >= MIN_GROUP
        for table in tables:
            for row in table:
                for cell in row[1:]:
                    assert not cell.isdigit() or int(cell) == 0 or int(cell) >= MIN_GROUP


cases = st.builds(
    Case,
    role=st.sampled_from(["principal", "bureau"]),
    period=st.sampled_from(PERIODS),
    as_of=st.sampled_from(DAYS),
    grade_pick=st.one_of(st.none(), st.integers(0, 20)),
    class_pick=st.one_of(st.none(), st.none(), st.integers(0, 50)),
)


def test_report_section_agrees_with_the_outcome_page(seeded):
    @settings(
        max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(case=cases)
    @example(case=Case("principal", year_period(2026), date(2027, 1, 25), None, None))
    @example(case=Case("bureau", AUTUMN, date(2026, 12, 2), 1, None))
    @example(case=Case("bureau", month_period(2026, 11), date(2026, 10, 2), None, None))
    def check(case: Case) -> None:
        check_outcome(seeded, case)

    check()
