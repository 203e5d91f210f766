"""Who belongs to 关爱成效's care groups in a term (docs/growth.md "The groups"), each read from
the figure that already defines it, so the outcome view and the other pages agree:

- paired: a pairing that counts in the term (services/metrics/pairing.py `pairing_conditions`);
- visited: every term-phase rule-period (期初/期中/期末家访) due for the child in the term is met,
  as the compliance engine counts it (`compliance_table` per child, term-phase rules); a phase
  not begun yet is not due, so a running term asks "every phase so far";
- joined: took part (`attended_condition`) in an activity of the child's school dated in the
  term, up to the day of looking.

A term is matched by name across the schools in view (the bureau's county), as on 总览.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from db.enums import Cadence
from db.models import Activity, Child, Pairing, Participation, Term
from services.actor import Actor
from services.care.participation_counts import attended_condition
from services.compliance.engine import compliance_table
from services.metrics.pairing import pairing_conditions
from services.metrics.scope import Period, Scope, term_period
from services.scope import school_ids_in_view


@dataclass(frozen=True)
class NamedTerm:
    """The terms of one name in the schools in view (one school: one term)."""

    name: str
    ids: tuple[int, ...]
    start: date
    end: date

    @property
    def period(self) -> Period:
        return term_period(self.name, self.start, self.end)


def named_terms(session: Session, actor: Actor) -> list[NamedTerm]:
    """The terms of the schools in view, one per name, oldest first."""
    rows = session.execute(
        select(Term.name, Term.id, Term.start_date, Term.end_date).where(
            Term.school_id.in_(school_ids_in_view(session, actor) or [-1]),
            Term.deleted_at.is_(None),
        )
    ).all()
    by_name: dict[str, list] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    terms = [
        NamedTerm(
            name,
            tuple(sorted(r.id for r in group)),
            min(r.start_date for r in group),
            max(r.end_date for r in group),
        )
        for name, group in by_name.items()
    ]
    return sorted(terms, key=lambda term: (term.start, term.name))


def paired_children(
    session: Session, children: Sequence[ColumnElement[bool]], term: NamedTerm, as_of: date
) -> set[int]:
    chosen = select(Child.id).where(*children)
    query = select(Pairing.child_id).join(Term, Term.id == Pairing.term_id)
    query = query.where(
        Pairing.child_id.in_(chosen), Term.id.in_(term.ids), *pairing_conditions(term.period, as_of)
    )
    return set(session.scalars(query.distinct()))


def visited_children(
    session: Session, actor: Actor, scope: Scope, term: NamedTerm, as_of: date
) -> set[int]:
    # The engine's own per-child counts over the term-phase rules only, summed in SQL (one row
    # per child, not per child and period: a county term is ~1 s less).
    per_child = compliance_table(
        session,
        actor,
        term.period.start,
        term.period.end,
        by=("child",),
        grade=scope.grade,
        classroom_id=scope.classroom_id,
        as_of=as_of,
        cadence=Cadence.TERM_PHASE,
    )
    done = per_child[(per_child["due"] > 0) & (per_child["met"] == per_child["due"])]
    return {int(child_id) for child_id in done["child_id"]}


def joined_children(
    session: Session, children: Sequence[ColumnElement[bool]], term: NamedTerm, as_of: date
) -> set[int]:
    """Took part in an activity of the child's school dated in its term (up to `as_of`)."""
    in_term = and_(
        Term.school_id == Activity.school_id,
        Term.id.in_(term.ids),
        Activity.activity_date.between(Term.start_date, Term.end_date),
    )
    took_part = (
        select(Participation.child_id)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Term, in_term)
        .where(attended_condition(), Activity.deleted_at.is_(None), Activity.activity_date <= as_of)
    )
    chosen = select(Child.id).where(*children, Child.id.in_(took_part))
    return set(session.scalars(chosen))
