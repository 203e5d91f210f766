"""The county summary (migration 0006_county_summary): derived rows, never edited by anyone.

- ComplianceSummary: per school, rule and rule-period (a month, a week, a term phase), how many
  (child, rule, period) were due and how many met — the compliance engine's own counts, stored
  by services/metrics/summary.py so the bureau's dashboard and ranking read a few thousand rows
  instead of every contact. Every period of a term is stored, also those not begun yet; a reader
  keeps the periods begun by its `as_of`.
- SummaryStale: which school-months no longer match their sources. Database triggers (both
  backends) add a row in the same transaction as the change: a contact's month (old and new date)
  for a contact written, `*` (every period of the school) for a child's enrolment or left-behind
  fields, a rule or a term; since 0008 also an activity's month for an activity or a
  participation written. A school with a row here is computed live until refreshed.
- ContactFacts and ParticipationFacts (migration 0008_county_facts): the counts behind the
  dashboard's contacts by channel and participation, per school and day, refreshed with the
  compliance summary from the same markers (services/metrics/summary_facts.py).

Kept in a module of its own (db/models.py imports it) only to keep that file short.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

WHOLE_SCHOOL = "*"  # SummaryStale.month: every period of the school


class ComplianceSummary(Base):
    __tablename__ = "compliance_summary"
    __table_args__ = (Index("ix_compliance_summary_school_end", "school_id", "period_end"),)

    school_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rule_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    term_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date)
    due: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)


class SummaryStale(Base):
    __tablename__ = "summary_stale"

    school_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, or WHOLE_SCHOOL


ANY_TYPE = "*"  # ParticipationFacts.activity_type: activities of every type together


class ContactFacts(Base):
    """Contacts logged per school, day and channel (migration 0008_county_facts): not deleted,
    of an enrolled, not deleted child of the same school — what `contacts_by_channel` counts."""

    __tablename__ = "contact_facts"

    school_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    contacts: Mapped[int] = mapped_column(Integer)


class ParticipationFacts(Base):
    """Care-activity participation per school and term window (the term's first to last day),
    activity type (or ANY_TYPE), group (left-behind 1 / other 0) and day: `participants` took
    part for the first time in the window on that day (so the children who took part from the
    term's start to a day are a sum), `attendances` are that day's attendances. Counted over
    enrolled, not deleted children of the school at the school's own activities."""

    __tablename__ = "participation_facts"

    school_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    term_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    activity_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    left_behind: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    participants: Mapped[int] = mapped_column(Integer)
    attendances: Mapped[int] = mapped_column(Integer)
