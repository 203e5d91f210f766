"""A generated child as the later steps see it (pairings, contacts, care records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from db.enums import LeftBehindType
from seed.context import Room

BOTH, FATHER, MOTHER, NONE = (
    LeftBehindType.BOTH,
    LeftBehindType.FATHER,
    LeftBehindType.MOTHER,
    LeftBehindType.NONE,
)
DAY = timedelta(days=1)


@dataclass
class Kid:
    """A generated child: the row to insert plus what later steps need to know."""

    row: dict
    room: Room
    lb: LeftBehindType
    lb_since: date | None
    enrolled_on: date
    left_on: date | None
    is_key: bool
    guardian_call: str  # how the teacher addresses the guardian, e.g. 奶奶
    silent_from: date | None = None  # no contact is logged from this day on
    reach: float = 1.0  # how reliably the family can be reached
    lb_change: tuple[LeftBehindType, date] | None = None  # earlier type, day it changed
    id: int = 0

    @property
    def given_name(self) -> str:
        """The name without the (one-character) surname, as teachers write it: 浩然, 小磊."""
        given = self.row["name"][1:]
        return given if len(given) > 1 else "小" + given

    def window(self, lo: date, hi: date, left_behind: bool = True) -> tuple[date, date]:
        """[lo, hi] clipped to the days this child is enrolled (and left-behind) and reachable."""
        lo = max(lo, self.enrolled_on)
        if left_behind and self.lb_since:
            lo = max(lo, self.lb_since)
        hi = min(hi, self.left_on or hi)
        if self.silent_from:
            hi = min(hi, self.silent_from - DAY)
        return lo, hi
