"""The choices the dashboard and reports offer: terms, grades and classes in view."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Classroom, Term
from services.actor import Actor
from services.scope import school_ids_in_view


def _frame(session: Session, query: object, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in session.execute(query)], columns=columns)  # type: ignore[call-overload]


def term_options(session: Session, actor: Actor) -> pd.DataFrame:
    """Terms of the schools in view, one row per term name: name, start, end (newest first)."""
    query = (
        select(
            Term.name.label("name"),
            func.min(Term.start_date).label("start"),
            func.max(Term.end_date).label("end"),
        )
        .where(
            Term.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Term.deleted_at.is_(None),
        )
        .group_by(Term.name)
        .order_by(func.min(Term.start_date).desc())
    )
    return _frame(session, query, ["name", "start", "end"])


def classroom_options(session: Session, actor: Actor, grade: int | None = None) -> pd.DataFrame:
    """Classes of the actor's school (none for the bureau): classroom_id, name, grade."""
    if actor.role == Role.BUREAU or actor.school_id is None:
        return pd.DataFrame(columns=["classroom_id", "name", "grade"])
    query = select(Classroom.id, Classroom.name, Classroom.grade).where(
        Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None)
    )
    if grade is not None:
        query = query.where(Classroom.grade == grade)
    query = query.order_by(Classroom.grade, Classroom.number)
    return _frame(session, query, ["classroom_id", "name", "grade"])


def grade_options(session: Session, actor: Actor) -> list[int]:
    """Grades that have classes in the schools in view."""
    rows = session.scalars(
        select(Classroom.grade)
        .distinct()
        .where(
            Classroom.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Classroom.deleted_at.is_(None),
        )
        .order_by(Classroom.grade)
    )
    return [int(g) for g in rows]
