"""A term result's percentile in its class, subject and term (pure; docs/growth.md).

Results rank by score when every result of the group has one; otherwise by grade, a score
counting as the grade it reaches on the 100-point scale (≥ 90 优, ≥ 75 良, ≥ 60 中, else 差).
A percentile is the mid-rank share: 100 × (results below + half the results equal) ÷ results,
so ties get the same value, the group's average is 50 and one child alone is at 50.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from db.enums import LetterGrade

GRADE_RANK = {
    LetterGrade.POOR: 1,
    LetterGrade.FAIR: 2,
    LetterGrade.GOOD: 3,
    LetterGrade.EXCELLENT: 4,
}
GRADE_FLOORS = ((90.0, LetterGrade.EXCELLENT), (75.0, LetterGrade.GOOD), (60.0, LetterGrade.FAIR))


def grade_of_score(score: float) -> LetterGrade:
    """The grade a score reaches on the 100-point scale."""
    for floor, grade in GRADE_FLOORS:
        if score >= floor:
            return grade
    return LetterGrade.POOR


def rank_values(results: Sequence[tuple[float | None, LetterGrade | str | None]]) -> list[float]:
    """The value each (score, grade) result ranks by within its group (see the module doc).
    Every result must have a score or a grade."""
    if all(score is not None for score, _ in results):
        return [float(score) for score, _ in results]  # type: ignore[arg-type]
    values = []
    for score, grade in results:
        if grade is None and score is None:
            raise ValueError("a result needs a score or a grade")
        letter = LetterGrade(grade) if grade is not None else grade_of_score(float(score))  # type: ignore[arg-type]
        values.append(float(GRADE_RANK[letter]))
    return values


def percentiles(values: Sequence[float]) -> list[float]:
    """Mid-rank percentile (0–100) of each value among `values`, rounded to 0.1."""
    count = len(values)
    ordered = sorted(values)
    out = []
    for value in values:
        below = _count_below(ordered, value)
        equal = _count_below(ordered, value, inclusive=True) - below
        out.append(round(100.0 * (below + 0.5 * equal) / count, 1))
    return out


def _count_below(ordered: list[float], value: float, inclusive: bool = False) -> int:
    return (bisect_right if inclusive else bisect_left)(ordered, value)
