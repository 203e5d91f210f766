"""The bureau report on sparse data and early in a period (issue #12 item 3): nothing due → it
says so and concludes nothing; a child just imported is 新建档, not 从未联系; an empty selection
shows "—", never 100 %; 生成日期 is today in the school's time zone; a period that has not ended
says 截至 that day; aid counts in the month it was granted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from db.enums import LeftBehindType, Role
from db.models import Child
from services import clock
from services.compliance.default_rules import install_default_rules
from services.reports import exports
from services.reports.data import ReportFilters
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.services.report_helpers import make_settled_report_school
from tests.services.report_reading import docx_text

# 01:30 on 2 December in the school (Asia/Shanghai); still 1 December in UTC.
EARLY_ON_DEC_2 = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
NOVEMBER = exports.month_period(2026, 11)
DECEMBER = exports.month_period(2026, 12)
DEC_2 = date(2026, 12, 2)


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: EARLY_ON_DEC_2)
    monkeypatch.delenv("CARELEDGER_TIMEZONE", raising=False)


@pytest.fixture
def imported_school(session):
    """A school whose roster was imported a few hours ago: no term yet, rules installed."""
    school = make_school(session, name="新建小学")
    install_default_rules(session, school.id)
    room = make_classroom(session, school, grade=3)
    for kind in (LeftBehindType.BOTH, LeftBehindType.FATHER, LeftBehindType.NONE):
        make_child(session, school, room, kind)
    session.execute(update(Child).values(created_at=datetime(2026, 12, 1, 16, 10, tzinfo=UTC)))
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    session.commit()
    return principal


def report_text(session, actor, period, **options) -> str:  # type: ignore[no-untyped-def]
    return docx_text(exports.export_bureau_docx(session, actor, period, **options).data)


def test_a_freshly_imported_school_gets_a_report_it_could_send(
    session, imported_school, frozen_clock
):
    text = report_text(session, imported_school, NOVEMBER)

    assert "生成日期：2026年12月2日" in text
    assert "尚无应完成的联系任务" in text
    assert "均达到90%以上" not in text and "低于90%" not in text
    assert "两个月以上没有任何联系记录" not in text and "从未联系" not in text
    assert "2名留守儿童为新建档" in text
    assert "所有留守儿童在近两个月内均有联系记录" not in text  # nothing to say about them yet


def test_the_generated_date_is_today_in_the_schools_time_zone(
    session, imported_school, frozen_clock, monkeypatch
):
    assert "生成日期：2026年12月2日" in report_text(session, imported_school, NOVEMBER)
    monkeypatch.setenv("CARELEDGER_TIMEZONE", "UTC")
    assert "生成日期：2026年12月1日" in report_text(session, imported_school, NOVEMBER)


@pytest.fixture
def report_school(session):
    return make_settled_report_school(session)


def test_a_month_that_has_just_begun_is_progress_and_no_judgement(session, report_school):
    text = report_text(session, report_school.principal, DECEMBER, as_of=DEC_2)

    assert "本期尚未结束，数据截至2026年12月2日" in text
    assert "截至2026年12月2日已完成0项，应完成" in text
    assert "本期的联系周期均未结束，暂不评价" in text
    assert "低于90%" not in text and "均达到90%以上" not in text
    assert "达标率0.0%" not in text


def test_an_empty_selection_shows_a_dash_never_100_percent(session, report_school):
    nobody = ReportFilters(grade=6)
    text = report_text(session, report_school.principal, NOVEMBER, filters=nobody, as_of=DEC_2)

    assert "共有在校生0人，其中留守儿童0人，占在校生的—" in text
    assert "范围内暂无留守儿童" in text
    assert "100.0%" not in text


def test_aid_counts_in_the_month_it_was_granted(session, report_school):
    october = exports.month_period(2026, 10)
    october_text = report_text(session, report_school.principal, october, as_of=DEC_2)
    november_text = report_text(session, report_school.principal, NOVEMBER, as_of=DEC_2)

    assert "共发放资助1笔，合计500.00元" in october_text
    assert "本期没有发放资助的记录" in november_text
