"""The growth record (成长记录, issue 17, migration 0007_growth): what a child achieved and how a
teacher saw the child, per term.

- TermResult: one subject's result of a child in a term, as the school's results sheet gives it:
  a score (0–150) or a grade (优/良/中/差). `percentile` (0–100) is the child's place among the
  results of the same class, subject and term, kept by services/growth/results.py whenever a
  result of that group is written, so classes and terms compare fairly. `classroom_id` is the
  class the child was ranked in (the class at the time of the term).
- GrowthObservation: a head teacher's or paired teacher's rating of a child once per term on
  four scales (GrowthScale: 学习, 情绪, 行为习惯, 生活自理; 1–5, anchors in locales) and a
  sentence.

Kept in a module of its own (db/models.py imports it) only to keep that file short.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Editable, SchoolOwned, enum_column
from db.enums import LetterGrade

SCALE_MIN, SCALE_MAX = 1, 5
SCORE_MAX = 150.0  # the highest full mark of a Chinese primary/middle school paper


class TermResult(SchoolOwned, Editable, Base):
    __tablename__ = "term_results"
    __table_args__ = (
        UniqueConstraint("child_id", "term_id", "subject"),
        Index("ix_term_results_group", "school_id", "term_id", "classroom_id", "subject"),
    )

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id"))
    subject: Mapped[str] = mapped_column(String(16))  # 语文, 数学, 英语, … as the sheet says
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[LetterGrade | None] = enum_column(LetterGrade, nullable=True)
    percentile: Mapped[float | None] = mapped_column(Float)  # derived, see the module docstring


class GrowthObservation(SchoolOwned, Editable, Base):
    __tablename__ = "growth_observations"
    __table_args__ = (UniqueConstraint("child_id", "term_id"),)

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    study: Mapped[int] = mapped_column(SmallInteger)  # 学习
    emotion: Mapped[int] = mapped_column(SmallInteger)  # 情绪
    habits: Mapped[int] = mapped_column(SmallInteger)  # 行为习惯
    self_care: Mapped[int] = mapped_column(SmallInteger)  # 生活自理
    note: Mapped[str | None] = mapped_column(String(200))


SCALE_COLUMNS = ("study", "emotion", "habits", "self_care")  # GrowthScale values, in order
