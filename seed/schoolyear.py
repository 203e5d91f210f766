"""School calendar for generated data: terms, phases, holidays and the days contacts can fall on."""

from __future__ import annotations

import calendar
import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class TermPlan:
    """One term's dates, before it has a database id."""

    name: str
    start: date
    end: date
    holidays: tuple[tuple[str, date, date], ...]
    phases: dict[str, tuple[date, date]] = field(hash=False)

    def row(self) -> dict:
        """Column values for a Term row (without school and bookkeeping columns)."""
        return {
            "name": self.name,
            "start_date": self.start,
            "end_date": self.end,
            "holidays": [
                {"name": n, "start": a.isoformat(), "end": b.isoformat()}
                for n, a, b in self.holidays
            ],
            "start_phase_from": self.phases["start"][0],
            "start_phase_to": self.phases["start"][1],
            "middle_phase_from": self.phases["middle"][0],
            "middle_phase_to": self.phases["middle"][1],
            "end_phase_from": self.phases["end"][0],
            "end_phase_to": self.phases["end"][1],
        }


def fall_term(year: int) -> TermPlan:
    """The autumn term starting in September of `year`."""
    nxt = year + 1
    return TermPlan(
        name=f"{year}年秋季学期",
        start=date(year, 9, 1),
        end=date(nxt, 1, 20),
        holidays=(
            ("国庆节", date(year, 10, 1), date(year, 10, 7)),
            ("元旦", date(nxt, 1, 1), date(nxt, 1, 1)),
        ),
        phases={
            "start": (date(year, 9, 1), date(year, 9, 30)),
            "middle": (date(year, 10, 26), date(year, 11, 20)),
            "end": (date(year, 12, 21), date(nxt, 1, 20)),
        },
    )


def spring_term(year: int) -> TermPlan:
    """The spring term of `year` (after the Spring Festival)."""
    return TermPlan(
        name=f"{year}年春季学期",
        start=date(year, 2, 24),
        end=date(year, 7, 10),
        holidays=(
            ("清明节", date(year, 4, 4), date(year, 4, 6)),
            ("劳动节", date(year, 5, 1), date(year, 5, 5)),
        ),
        phases={
            "start": (date(year, 2, 24), date(year, 3, 20)),
            "middle": (date(year, 4, 20), date(year, 5, 15)),
            "end": (date(year, 6, 15), date(year, 7, 10)),
        },
    )


def months_before(day: date, months: int) -> date:
    """`day` moved back by whole calendar months (the day clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def terms_for_window(anchor: date, window_start: date) -> list[TermPlan]:
    """Terms overlapping [window_start, anchor], oldest first; at least the latest started term."""
    candidates = []
    for year in range(window_start.year - 1, anchor.year + 1):
        candidates += [spring_term(year), fall_term(year)]
    started = [t for t in candidates if t.start <= anchor]
    chosen = [t for t in started if t.end >= window_start]
    return chosen or started[-1:]


def school_year_start(anchor: date) -> int:
    """The calendar year in which the anchor's school year began (grades are counted from it)."""
    return anchor.year if anchor.month >= 9 else anchor.year - 1


class TermDays:
    """Teaching days (Mon–Fri outside holidays) and visit days (those plus Saturdays) of a term."""

    def __init__(self, plan: TermPlan) -> None:
        self.plan = plan
        holidays = set()
        for _, first, last in plan.holidays:
            holidays.update(days_between(first, last))
        self.school_days: list[date] = []
        self.visit_days: list[date] = []
        for day in days_between(plan.start, plan.end):
            if day in holidays or day.weekday() == 6:
                continue
            self.visit_days.append(day)
            if day.weekday() < 5:
                self.school_days.append(day)

    def pick(self, rng: random.Random, lo: date, hi: date, visit: bool = False) -> date | None:
        """A random teaching (or visit) day in [lo, hi], None when there is none."""
        days = self.visit_days if visit else self.school_days
        a, b = bisect_left(days, lo), bisect_right(days, hi)
        return days[rng.randrange(a, b)] if a < b else None

    def months(self) -> list[tuple[date, date]]:
        """Calendar months overlapping the term, clipped to it."""
        result = []
        day = self.plan.start
        while day <= self.plan.end:
            last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
            result.append((day, min(last, self.plan.end)))
            day = last + DAY
        return result

    def weeks(self) -> list[tuple[date, date]]:
        """Monday–Sunday weeks overlapping the term, clipped to it."""
        result = []
        day = self.plan.start - timedelta(days=self.plan.start.weekday())
        while day <= self.plan.end:
            result.append((max(day, self.plan.start), min(day + 6 * DAY, self.plan.end)))
            day += 7 * DAY
        return result


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += DAY
