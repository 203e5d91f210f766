"""Term-time periods (DESIGN.md §6): months, Monday–Sunday weeks and term phases of a term.

Pure Python over one Term row: a period is cut at the term's first and last day, and a period
that has no school day (all of it inside the term's holidays) is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from db.enums import Cadence
from db.models import Term

PHASES = ("start", "middle", "end")


@dataclass(frozen=True)
class Period:
    """One stretch of term time a rule is checked over."""

    term_id: int
    school_id: int
    cadence: Cadence
    phase: str | None
    start: date
    end: date


def holiday_days(term: Term) -> set[date]:
    """Every day inside one of the term's holidays (malformed entries are ignored)."""
    days: set[date] = set()
    for holiday in term.holidays or []:
        try:
            first = date.fromisoformat(str(holiday["start"]))
            last = date.fromisoformat(str(holiday["end"]))
        except (KeyError, TypeError, ValueError):
            continue
        days.update(first + timedelta(n) for n in range((last - first).days + 1))
    return days


def _has_school_day(start: date, end: date, holidays: set[date]) -> bool:
    return any(start + timedelta(n) not in holidays for n in range((end - start).days + 1))


def _month_spans(first: date, last: date) -> Iterable[tuple[date, date]]:
    cursor = first.replace(day=1)
    while cursor <= last:
        following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        yield cursor, following - timedelta(days=1)
        cursor = following


def _week_spans(first: date, last: date) -> Iterable[tuple[date, date]]:
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        yield monday, monday + timedelta(days=6)
        monday += timedelta(days=7)


def term_periods(term: Term, cadence: Cadence) -> list[Period]:
    """The periods of one cadence in a term: clipped to the term, holiday-only periods dropped."""
    if cadence == Cadence.MONTHLY:
        spans = list(_month_spans(term.start_date, term.end_date))
        phases: list[str | None] = [None] * len(spans)
    elif cadence == Cadence.WEEKLY:
        spans = list(_week_spans(term.start_date, term.end_date))
        phases = [None] * len(spans)
    else:
        spans = [
            (term.start_phase_from, term.start_phase_to),
            (term.middle_phase_from, term.middle_phase_to),
            (term.end_phase_from, term.end_phase_to),
        ]
        phases = list(PHASES)
    holidays = holiday_days(term)
    periods = []
    for (first, last), phase in zip(spans, phases, strict=True):
        start, end = max(first, term.start_date), min(last, term.end_date)
        if start <= end and _has_school_day(start, end, holidays):
            periods.append(Period(term.id, term.school_id, cadence, phase, start, end))
    return periods
