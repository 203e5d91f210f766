"""关爱成效 (services/metrics/outcome.py): the groups, their sizes and means, the change since
the previous term, and the bureau's rule that no group of fewer than 10 children is shown."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import (
    ActivityType,
    Cadence,
    ContactChannel,
    Counterpart,
    LeftBehindType,
    Role,
)
from db.models import Participation, Term
from services.errors import NotAllowed
from services.growth.ranking import rerank
from services.metrics.outcome import MIN_GROUP, outcome_figures
from services.metrics.scope import Scope, term_period, year_period
from services.reports import exports
from tests.factories import (
    actor_of,
    added,
    make_activity_row,
    make_child,
    make_classroom,
    make_observation,
    make_pairing,
    make_result,
    make_school,
    make_term,
    make_user,
)
from tests.services.compliance_helpers import log_contact, make_rule
from tests.services.report_reading import docx_text

YEAR = year_period(2026)
AFTER = date(2027, 2, 1)  # both 2026 terms have ended
NONE = LeftBehindType.NONE


def spring_term(session, school) -> Term:  # type: ignore[no-untyped-def]
    """2026年春季学期, 2026-02-24 … 2026-07-10."""
    return added(
        session,
        Term(
            school_id=school.id, name="2026年春季学期",
            start_date=date(2026, 2, 24), end_date=date(2026, 7, 10), holidays=[],
            start_phase_from=date(2026, 2, 24), start_phase_to=date(2026, 3, 20),
            middle_phase_from=date(2026, 4, 20), middle_phase_to=date(2026, 5, 15),
            end_phase_from=date(2026, 6, 15), end_phase_to=date(2026, 7, 10),
        ),
    )  # fmt: skip


def scores(session, kids, term, values) -> None:  # type: ignore[no-untyped-def]
    """One 语文 score per child, then the class ranked."""
    for kid, value in zip(kids, values, strict=True):
        make_result(session, kid, term, score=value)
    rerank(session, [(kids[0].school_id, term.id, kids[0].classroom_id, "语文")])


def test_left_behind_against_classmates_with_the_change_since_spring(session, school):
    room = make_classroom(session, school)
    spring, autumn = spring_term(session, school), make_term(session, school)
    left = [make_child(session, school, room) for _ in range(3)]
    others = [make_child(session, school, room, NONE) for _ in range(2)]
    kids = left + others
    scores(session, kids, spring, [60, 70, 80, 90, 100])  # percentiles 10 30 50 70 90
    scores(session, kids, autumn, [100, 70, 80, 90, 60])  # 90 30 50 70 10
    make_observation(session, left[0], autumn, (2, 3, 4, 5))
    make_observation(session, left[1], autumn, (4, 3, 2, 1))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))

    figures = outcome_figures(session, principal, Scope(), YEAR, AFTER)

    assert figures.terms == ["2026年春季学期", "2026年秋季学期"] and not figures.empty
    lb, mates = (
        figures.row("2026年秋季学期", "left_behind"),
        figures.row("2026年秋季学期", "classmates"),
    )
    assert (lb.children, lb.results, lb.percentile) == (3, 3, 56.7)  # (90 + 30 + 50) / 3
    assert (mates.children, mates.results, mates.percentile) == (2, 2, 40.0)
    assert (lb.observed, lb.study, lb.emotion, lb.self_care) == (2, 3.0, 3.0, 3.0)
    assert (mates.observed, mates.study) == (0, None)
    assert (lb.previous_term, lb.compared, lb.change) == ("2026年春季学期", 3, 26.7)  # +80, 0, 0
    assert (mates.compared, mates.change) == (2, -40.0)  # 0, -80
    first = figures.row("2026年春季学期", "left_behind")
    assert (first.previous_term, first.compared, first.change) == (None, 0, None)
    only_autumn = outcome_figures(session, principal, Scope(), term_period(
        "2026年秋季学期", autumn.start_date, autumn.end_date), AFTER)  # fmt: skip
    assert only_autumn.terms == ["2026年秋季学期"]
    assert only_autumn.row("2026年秋季学期", "left_behind").change == 26.7  # still vs spring


def test_paired_visited_every_phase_and_in_an_activity(session, school):
    room = make_classroom(session, school)
    autumn = make_term(session, school)
    teacher = make_user(session, school)
    kids = [make_child(session, school, room, enrolled_on=date(2026, 8, 1)) for _ in range(4)]
    scores(session, kids, autumn, [60, 70, 80, 90])  # 12.5 37.5 62.5 87.5
    make_pairing(session, teacher, kids[0], autumn)
    make_rule(session, school, "期初/期中/期末家访", [Counterpart.GUARDIAN],
              [ContactChannel.HOME_VISIT], Cadence.TERM_PHASE)  # fmt: skip
    for day in (date(2026, 9, 10), date(2026, 11, 2), date(2026, 12, 28)):
        log_contact(session, kids[1], day, Counterpart.GUARDIAN, ContactChannel.HOME_VISIT)
    log_contact(
        session, kids[2], date(2026, 9, 10), Counterpart.GUARDIAN, ContactChannel.HOME_VISIT
    )
    activity = make_activity_row(
        session, school, autumn, "中秋", ActivityType.FESTIVAL, date(2026, 9, 25)
    )
    added(session, Participation(school_id=school.id, activity_id=activity.id, child_id=kids[3].id))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))

    figures = outcome_figures(session, principal, Scope(), YEAR, AFTER)

    def of(group: str) -> tuple:
        row = figures.row("2026年秋季学期", group)
        return row.children, row.percentile

    assert of("paired") == (1, 12.5) and of("unpaired") == (3, 62.5)
    assert of("visited") == (1, 37.5) and of("not_visited") == (3, 54.2)
    assert of("joined") == (1, 87.5) and of("not_joined") == (3, 37.5)
    # In the middle of the term only 期初 and 期中 are due: kids[1] has both, kids[2] only one.
    running = outcome_figures(session, principal, Scope(), YEAR, date(2026, 12, 1))
    assert running.row("2026年秋季学期", "visited").children == 1


def test_terms_not_begun_and_empty_schools_show_nothing(session, school):
    make_term(session, school)
    make_child(session, school, make_classroom(session, school))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    assert outcome_figures(session, principal, Scope(), YEAR, date(2026, 8, 1)).terms == []
    figures = outcome_figures(session, principal, Scope(), YEAR, AFTER)
    assert figures.terms == ["2026年秋季学期"] and figures.empty


def test_grade_and_class_scopes_choose_the_children(session, school):
    autumn = make_term(session, school)
    third, fourth = make_classroom(session, school, 3), make_classroom(session, school, 4)
    a = [make_child(session, school, third) for _ in range(2)]
    b = [make_child(session, school, fourth) for _ in range(3)]
    scores(session, a, autumn, [60, 90])
    scores(session, b, autumn, [60, 70, 90])
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    row = outcome_figures(session, principal, Scope(grade=4), YEAR, AFTER).row(
        "2026年秋季学期", "left_behind"
    )
    assert (row.children, row.results) == (3, 3)
    row = outcome_figures(session, principal, Scope(classroom_id=third.id), YEAR, AFTER).row(
        "2026年秋季学期", "left_behind"
    )
    assert (row.children, row.percentile) == (2, 50.0)


def test_only_principal_admin_and_bureau_see_it(session, school):
    for role in (Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR):
        actor = actor_of(session, make_user(session, school, role))
        with pytest.raises(NotAllowed):
            outcome_figures(session, actor, Scope(), YEAR, AFTER)


def county_class(session, school, left: int, others: int) -> tuple:  # type: ignore[no-untyped-def]
    """A class of `left` left-behind children and `others` classmates, all with a score."""
    room = make_classroom(session, school)
    term = make_term(session, school)
    kids = [make_child(session, school, room) for _ in range(left)]
    kids += [make_child(session, school, room, NONE) for _ in range(others)]
    scores(session, kids, term, [60 + i for i in range(len(kids))])
    for kid in kids[:left]:
        make_observation(session, kid, term, (3, 3, 3, 3))
    return kids, term


def test_the_bureau_never_sees_a_group_under_ten(session, school):
    county_class(session, school, 7, 9)
    other = make_school(session, "二小")
    kids, term = county_class(session, other, 5, 0)
    make_pairing(session, make_user(session, other), kids[0], term)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county="青山县"))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))

    seen = outcome_figures(session, bureau, Scope(), YEAR, AFTER)

    assert seen.hidden_below == MIN_GROUP and seen.terms == ["2026年秋季学期"]  # one name
    lb, mates = seen.row("2026年秋季学期", "left_behind"), seen.row("2026年秋季学期", "classmates")
    assert (lb.children, lb.observed, lb.study) == (12, 12, 3.0)  # two schools' children
    assert (mates.children, mates.results, mates.percentile) == (None, None, None)  # 9
    assert (lb.results, lb.percentile) == (None, None)  # its comparison's other side is hidden
    paired, unpaired = seen.row("2026年秋季学期", "paired"), seen.row("2026年秋季学期", "unpaired")
    assert paired.children is None and (unpaired.children, unpaired.results) == (11, None)
    assert (unpaired.observed, unpaired.study) == (None, None)
    for _, row in seen.table.iterrows():
        for column in ("children", "results", "observed", "compared"):
            assert row[column] is None or row[column] == 0 or row[column] >= MIN_GROUP
    # The school sees its own small groups.
    mine = outcome_figures(session, principal, Scope(), YEAR, AFTER)
    assert mine.hidden_below is None
    assert mine.row("2026年秋季学期", "classmates").children == 9


def test_the_bureau_sees_groups_of_ten(session, school):
    county_class(session, school, 10, 10)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county="青山县"))
    seen = outcome_figures(session, bureau, Scope(), YEAR, AFTER)
    mates = seen.row("2026年秋季学期", "classmates")
    assert (mates.children, mates.results) == (10, 10) and mates.percentile is not None
    assert seen.row("2026年秋季学期", "left_behind").results == 10


def test_the_report_says_when_there_is_nothing_yet(session, school):
    make_term(session, school)
    make_child(session, school, make_classroom(session, school))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    report = exports.export_bureau_docx(session, principal, YEAR, as_of=AFTER).data
    text = docx_text(report)
    assert "八、关爱成效\n本学期暂无成绩与观察数据。\n九、存在的问题" in text
