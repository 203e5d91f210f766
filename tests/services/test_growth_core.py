"""成长记录's definitions (services/growth): percentiles, re-ranking, the per-term frame and the
early-warning rule."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.enums import LetterGrade
from db.growth_models import TermResult
from db.models import Child
from services.growth.percentiles import grade_of_score, percentiles, rank_values
from services.growth.ranking import group_of, rerank
from services.growth.terms import child_terms, falls
from tests.factories import (
    make_child,
    make_classroom,
    make_observation,
    make_result,
    make_term,
)

scores = st.lists(st.floats(min_value=0, max_value=150, allow_nan=False), min_size=1, max_size=60)


@given(scores)
def test_percentiles_average_fifty_and_keep_order(values: list[float]) -> None:
    out = percentiles(values)
    assert abs(sum(out) / len(out) - 50.0) <= 0.05 + 1e-9  # each rounded to 0.1
    for a, pa in zip(values, out, strict=True):
        for b, pb in zip(values, out, strict=True):
            if a < b:
                assert pa < pb
            if a == b:
                assert pa == pb


def test_percentile_examples() -> None:
    assert percentiles([70.0]) == [50.0]
    assert percentiles([60.0, 80.0, 80.0, 100.0]) == [12.5, 50.0, 50.0, 87.5]


def test_mixed_group_ranks_by_grade() -> None:
    assert grade_of_score(90) is LetterGrade.EXCELLENT
    assert grade_of_score(74.5) is LetterGrade.FAIR
    values = rank_values([(95.0, None), (None, LetterGrade.GOOD), (None, "poor")])
    assert values == [4.0, 3.0, 1.0]
    with pytest.raises(ValueError):
        rank_values([(None, None), (None, LetterGrade.GOOD)])


def _class_of_three(session, school):  # type: ignore[no-untyped-def]
    room = make_classroom(session, school)
    term = make_term(session, school)
    kids = [make_child(session, school, room) for _ in range(3)]
    return room, term, kids


def test_rerank_writes_percentiles_of_the_group(session, school) -> None:  # type: ignore[no-untyped-def]
    _, term, kids = _class_of_three(session, school)
    rows = [
        make_result(session, kid, term, score=s) for kid, s in zip(kids, (60, 80, 100), strict=True)
    ]
    rerank(session, [group_of(r) for r in rows])
    session.flush()
    assert [session.get(TermResult, r.id).percentile for r in rows] == [16.7, 50.0, 83.3]
    rows[2].deleted_at = rows[2].created_at
    session.flush()
    rerank(session, [group_of(rows[2])])
    assert [session.get(TermResult, r.id).percentile for r in rows[:2]] == [25.0, 75.0]


def test_child_terms_and_falls(session, school) -> None:  # type: ignore[no-untyped-def]
    _room, autumn, kids = _class_of_three(session, school)
    spring = make_term(session, school, date(2027, 2, 20), date(2027, 7, 5))
    spring.name = "2027年春季学期"
    falling, steady, quiet = kids
    # autumn: falling is top in both subjects; spring: bottom in both (a 66.7-point fall)
    for subject in ("语文", "数学"):
        rows = [
            make_result(session, k, autumn, subject, s)
            for k, s in zip(kids, (99, 70, 60), strict=True)
        ]
        rows += [
            make_result(session, k, spring, subject, s)
            for k, s in zip(kids, (50, 70, 60), strict=True)
        ]
        rerank(session, [group_of(r) for r in rows])
    make_observation(session, steady, autumn, (4, 4, 4, 4))
    make_observation(session, steady, spring, (4, 2, 4, 4))  # 情绪 down by 2
    make_observation(session, quiet, spring, (1, 1, 1, 1))  # one term only: no comparison
    session.flush()
    frame = child_terms(session, [Child.school_id == school.id])
    assert len(frame) == 6
    top = frame[(frame.child_id == falling.id) & (frame.term_id == autumn.id)].iloc[0]
    assert top.percentile == 83.3 and top.subjects == 2 and top.study != top.study  # NaN scale
    found = {(f.child_id, f.measure): f for f in falls(frame)}
    assert set(found) == {(falling.id, "percentile"), (steady.id, "emotion")}
    assert found[(falling.id, "percentile")].drop == 66.6
    assert found[(steady.id, "emotion")].term_id == spring.id
    only_quiet = child_terms(session, [Child.id == quiet.id])
    assert only_quiet["child_id"].tolist() == [quiet.id, quiet.id]
