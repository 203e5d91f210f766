"""The school's calendar day: "today" and day boundaries in the school's time zone.

The server may run in UTC while the school lives in China: a report made at 07:00 on 2 December
in the school is still 1 December in UTC. Every figure's `as_of` and every "生成日期" comes from
`school_today()`. The zone is Asia/Shanghai unless CARELEDGER_TIMEZONE names another.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def school_timezone() -> ZoneInfo:
    """The configured zone (CARELEDGER_TIMEZONE), else Asia/Shanghai; an unknown name falls back."""
    name = os.environ.get("CARELEDGER_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def utc_now() -> datetime:
    """The current moment (one place for tests to stop the clock)."""
    return datetime.now(UTC)


def school_now(now: datetime | None = None) -> datetime:
    """The current moment on the school's wall clock (`now`: any aware moment, or naive UTC)."""
    moment = now or utc_now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(school_timezone())


def school_today(now: datetime | None = None) -> date:
    """Today's date in the school."""
    return school_now(now).date()


def day_start_utc(day: date) -> datetime:
    """The UTC moment the school's `day` begins (to compare with stored UTC timestamps)."""
    return datetime.combine(day, time.min, tzinfo=school_timezone()).astimezone(UTC)
