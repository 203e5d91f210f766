"""When a child came onto the school's books, as SQL: the enrolment date, or — none given, as
after an import — the day the record was created (in the school's time zone).

A child that has not yet been on the books for one whole ended month is 新建档 (DESIGN.md §6):
nobody could have contacted them "for two months", so they are not listed as 从未联系.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_

from db.models import Child
from services.clock import day_start_utc


def joined_after(day: date) -> ColumnElement[bool]:
    """The child came onto the books after `day`: enrolled after it, or with no enrolment date,
    its record was created after the school's `day` ended."""
    return or_(
        Child.enrolled_on > day,
        and_(Child.enrolled_on.is_(None), Child.created_at >= day_start_utc(day + timedelta(1))),
    )


def last_ended_month_start(as_of: date) -> date:
    """The first day of the calendar month before `as_of`'s month."""
    return (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)


def new_child(as_of: date) -> ColumnElement[bool]:
    """新建档 at `as_of`: joined after the first day of the last ended month, so not yet one
    whole ended month on the books."""
    return joined_after(last_ended_month_start(as_of))
