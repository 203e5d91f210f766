"""The school's day, not the server's: at 07:30 on 2 March in the school (Asia/Shanghai) the
server's UTC clock still says 1 March. A visit logged that morning is dated 2 March, and nothing
may refuse it as "in the future" (date fields, the quick contact form's maximum, the to-do's
month). The clock is stopped on a day that is not the machine's own, so reading the server's
date instead would show."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services import clock
from services.records.specs import not_in_future

MORNING = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)  # 07:30 on 2 March in Asia/Shanghai


@pytest.fixture(autouse=True)
def early_morning(monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: MORNING)
    monkeypatch.delenv("CARELEDGER_TIMEZONE", raising=False)


def test_todays_date_in_the_school_is_not_in_the_future():
    assert clock.school_today() == date(2027, 3, 2)
    assert not_in_future(date(2027, 3, 2)) is None
    assert not_in_future(date(2027, 3, 3)) == "spec.reason.future"


def test_no_service_or_page_reads_the_servers_date():
    """Every "today" goes through services.clock (the one place the school's zone applies)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("services", "components", "pages")
        for path in (root / folder).rglob("*.py")
        if "date.today()" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
