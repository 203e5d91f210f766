"""What a results cell may hold, read the same in the grid and in the imported sheet (pure).

A cell is a score from 0 to 150 (a number, "95", "95.5" or "95分"), or a grade. Grades are read
in the words schools write them:

| stored | accepted                                  |
|--------|-------------------------------------------|
| 优     | 优, 优秀, A                                |
| 良     | 良, 良好, B                                |
| 中     | 中, 中等, 及格, 合格, C                    |
| 差     | 差, 不及格, 不合格, 待及格, 待合格, D      |

A blank cell, "—", "/" or 缺考 / 免考 means no result. Anything else is refused with a reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from db.enums import LetterGrade
from db.growth_models import SCORE_MAX
from locales import enum_label

DEFAULT_SUBJECTS = ("语文", "数学", "英语")
SUBJECT_MAX_LEN = 16  # TermResult.subject
GRADE_WORDS: dict[str, LetterGrade] = {
    **dict.fromkeys(("优", "优秀", "A"), LetterGrade.EXCELLENT),
    **dict.fromkeys(("良", "良好", "B"), LetterGrade.GOOD),
    **dict.fromkeys(("中", "中等", "及格", "合格", "C"), LetterGrade.FAIR),
    **dict.fromkeys(("差", "不及格", "不合格", "待及格", "待合格", "D"), LetterGrade.POOR),
}
NO_RESULT = frozenset({"-", "—", "/", "／", "缺考", "免考"})
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class Result:
    """One cell's value: a score or a grade (never both)."""

    score: float | None = None
    grade: LetterGrade | None = None

    def shown(self) -> str:
        """As the grid shows it: 95, 95.5 or 优."""
        if self.grade is not None:
            return enum_label(self.grade)
        if self.score is None:
            return ""
        return f"{self.score:g}"


class BadResult(ValueError):
    """A cell that is neither a score nor a grade; `key` is the reason's locale key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_result(raw: object) -> Result | None:
    """The cell as a Result; None when it holds no result; BadResult when it cannot be one."""
    if raw is None or isinstance(raw, bool):
        return None if raw is None else _refuse()
    if isinstance(raw, int | float):
        return _score(float(raw))
    text = str(raw).strip().replace(" ", "")
    if not text or text in NO_RESULT:
        return None
    grade = GRADE_WORDS.get(text.upper()) or _grade_by_label(text)
    if grade is not None:
        return Result(grade=grade)
    if _NUMBER.match(text.removesuffix("分")):  # 95 or 95分
        return _score(float(text.removesuffix("分")))
    return _refuse()


def result_reason(raw: object) -> str | None:
    """A grid column's validator: the reason key when the cell is not a result, else None."""
    try:
        parse_result(raw)
    except BadResult as bad:
        return bad.key
    return None


def _score(value: float) -> Result | None:
    if math.isnan(value):
        return None
    if not 0 <= value <= SCORE_MAX:
        raise BadResult("growth_results.reason.score_range")
    return Result(score=round(value, 1))


def _grade_by_label(text: str) -> LetterGrade | None:
    """A grade written as its label in either language (excellent, …) or its stored value."""
    lowered = text.lower()
    for grade in LetterGrade:
        words = {grade.value, enum_label(grade, lang="en").lower()}
        if lowered in words:
            return grade
    return None


def _refuse() -> Result:
    raise BadResult("growth_results.reason.not_result")
