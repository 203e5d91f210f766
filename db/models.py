"""SQLAlchemy models for every entity of DESIGN.md §4.

One module on purpose: the schema is read as a whole, and Alembic compares against it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Editable, SchoolOwned, Tracked, enum_column, utcnow
from db.enums import (
    ActivityType,
    AidKind,
    AuditAction,
    Cadence,
    ContactChannel,
    ContactOutcome,
    Counterpart,
    EnrolmentStatus,
    Gender,
    LeftBehindType,
    RiskLevel,
    Role,
    RuleAppliesTo,
    RuleWho,
)
from db.growth_models import GrowthObservation, TermResult  # noqa: F401  (the schema)
from db.summary_models import ComplianceSummary, SummaryStale  # noqa: F401  (the schema)


class School(Editable, Base):
    __tablename__ = "schools"

    name: Mapped[str] = mapped_column(String(100))
    county: Mapped[str] = mapped_column(String(100), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)


class User(Editable, Base):
    __tablename__ = "users"

    # Null for bureau accounts, which see a county rather than a school.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    county: Mapped[str | None] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Start of the 15-minute window `failed_logins` counts in (the account-wide ceiling).
    failures_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Tracked, Base):
    """The server side of one sign-in (DESIGN.md §4 Session). The cookie carries a random key;
    only its SHA-256 is stored. Revoked at logout, at a password change or reset, when the
    account is locked, and by the administrator; idle for 30 minutes, it ends."""

    __tablename__ = "user_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_address: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class LoginThrottle(Tracked, Base):
    """Wrong passwords for one account from one client address (DESIGN.md §9): 5 in a row lock
    that address, for that account only, for 15 minutes."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("user_id", "client_address"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Term(SchoolOwned, Editable, Base):
    __tablename__ = "terms"

    name: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # [{"name": "国庆节", "start": "2026-10-01", "end": "2026-10-07"}, ...]
    holidays: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    start_phase_from: Mapped[date] = mapped_column(Date)
    start_phase_to: Mapped[date] = mapped_column(Date)
    middle_phase_from: Mapped[date] = mapped_column(Date)
    middle_phase_to: Mapped[date] = mapped_column(Date)
    end_phase_from: Mapped[date] = mapped_column(Date)
    end_phase_to: Mapped[date] = mapped_column(Date)


class Classroom(SchoolOwned, Editable, Base):
    __tablename__ = "classrooms"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    grade: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(64))
    head_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class TeachingAssignment(SchoolOwned, Tracked, Base):
    """Classes a teacher teaches (User "classes taught")."""

    __tablename__ = "teaching_assignments"
    __table_args__ = (UniqueConstraint("user_id", "classroom_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(32))


class Child(SchoolOwned, Editable, Base):
    __tablename__ = "children"
    __table_args__ = (
        UniqueConstraint("school_id", "student_no"),
        Index("ix_children_school_class", "school_id", "classroom_id"),
    )

    student_no: Mapped[str] = mapped_column(String(32))  # 学籍号
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[Gender | None] = enum_column(Gender)
    birth_date: Mapped[date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(32))
    id_card_no: Mapped[str | None] = mapped_column(String(32))
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    enrolment_status: Mapped[EnrolmentStatus] = enum_column(
        EnrolmentStatus, default=EnrolmentStatus.ENROLLED
    )
    enrolled_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)
    village: Mapped[str | None] = mapped_column(String(64))
    home_address: Mapped[str | None] = mapped_column(String(200))
    left_behind_type: Mapped[LeftBehindType] = enum_column(
        LeftBehindType, default=LeftBehindType.NONE, index=True
    )
    left_behind_since: Mapped[date | None] = mapped_column(Date)

    father_name: Mapped[str | None] = mapped_column(String(64))
    father_phone: Mapped[str | None] = mapped_column(String(32))
    father_work_province: Mapped[str | None] = mapped_column(String(32))
    father_work_city: Mapped[str | None] = mapped_column(String(32))
    father_work_detail: Mapped[str | None] = mapped_column(String(200))
    father_away_since: Mapped[date | None] = mapped_column(Date)
    mother_name: Mapped[str | None] = mapped_column(String(64))
    mother_phone: Mapped[str | None] = mapped_column(String(32))
    mother_work_province: Mapped[str | None] = mapped_column(String(32))
    mother_work_city: Mapped[str | None] = mapped_column(String(32))
    mother_work_detail: Mapped[str | None] = mapped_column(String(200))
    mother_away_since: Mapped[date | None] = mapped_column(Date)

    guardian_name: Mapped[str | None] = mapped_column(String(64))
    guardian_relation: Mapped[str | None] = mapped_column(String(32))
    guardian_phone: Mapped[str | None] = mapped_column(String(32))
    guardian_age: Mapped[int | None] = mapped_column(Integer)
    guardian_health: Mapped[str | None] = mapped_column(String(64))
    guardian_education: Mapped[str | None] = mapped_column(String(32))
    lives_with: Mapped[str | None] = mapped_column(String(64))

    personality: Mapped[str | None] = mapped_column(String(200))
    hobbies: Mapped[str | None] = mapped_column(String(200))
    study_level: Mapped[str | None] = mapped_column(String(32))
    health_notes: Mapped[str | None] = mapped_column(String(200))
    psychology_notes: Mapped[str | None] = mapped_column(String(200))
    disability: Mapped[str | None] = mapped_column(String(64))
    is_key: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    key_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    archive_date: Mapped[date | None] = mapped_column(Date)


class LeftBehindHistory(SchoolOwned, Tracked, Base):
    """One row per period a child had a left-behind type; kept when the type changes."""

    __tablename__ = "left_behind_history"

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    left_behind_type: Mapped[LeftBehindType] = enum_column(LeftBehindType)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))


class Pairing(SchoolOwned, Editable, Base):
    __tablename__ = "pairings"
    __table_args__ = (Index("ix_pairings_term_teacher", "term_id", "teacher_id"),)

    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    goal: Mapped[str | None] = mapped_column(String(200))


class Contact(SchoolOwned, Editable, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_school_date", "school_id", "contact_date"),
        # Covering index for compliance: one index-only range scan per (child, rule, period).
        Index(
            "ix_contacts_child_date_match",
            "child_id",
            "contact_date",
            "counterpart",
            "channel",
            "deleted_at",
            "substantive",
        ),
    )

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    contact_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[ContactChannel] = enum_column(ContactChannel)
    counterpart: Mapped[Counterpart] = enum_column(Counterpart)
    summary: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[ContactOutcome | None] = enum_column(ContactOutcome)
    # Said something (a summary, or an outcome other than 未接通): only such a contact meets a
    # rule (DESIGN.md §6). Kept by database triggers (migration 0003), so every write path
    # agrees; a plain column, so the compliance look-up stays index-only on SQLite.
    substantive: Mapped[bool] = mapped_column(
        Boolean, server_default=true(), server_onupdate=FetchedValue()
    )
    concerns: Mapped[str | None] = mapped_column(Text)
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_date: Mapped[date | None] = mapped_column(Date)


class ContactRule(SchoolOwned, Editable, Base):
    __tablename__ = "contact_rules"

    name: Mapped[str] = mapped_column(String(64))
    counterparts: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = any channel
    who: Mapped[RuleWho] = enum_column(RuleWho, default=RuleWho.HEAD_TEACHER)
    cadence: Mapped[Cadence] = enum_column(Cadence)
    # For term-phase rules: which phase ("start" / "middle" / "end"); null = every phase.
    phase: Mapped[str | None] = mapped_column(String(16))
    applies_to: Mapped[RuleAppliesTo] = enum_column(
        RuleAppliesTo, default=RuleAppliesTo.LEFT_BEHIND
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Activity(SchoolOwned, Editable, Base):
    __tablename__ = "activities"

    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    activity_type: Mapped[ActivityType] = enum_column(ActivityType)
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(100))
    organiser: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)


class ActivityClassroom(SchoolOwned, Tracked, Base):
    """Classes involved in an activity."""

    __tablename__ = "activity_classrooms"
    __table_args__ = (UniqueConstraint("activity_id", "classroom_id"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"), index=True)


class Participation(SchoolOwned, Editable, Base):
    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("activity_id", "child_id"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(String(200))


class HealthCheck(SchoolOwned, Editable, Base):
    __tablename__ = "health_checks"

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    check_date: Mapped[date] = mapped_column(Date)
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    vision_left: Mapped[float | None] = mapped_column(Float)  # five-point scale, e.g. 4.9
    vision_right: Mapped[float | None] = mapped_column(Float)
    bp_systolic: Mapped[int | None] = mapped_column(Integer)
    bp_diastolic: Mapped[int | None] = mapped_column(Integer)
    lung_capacity_ml: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(String(200))


class CounsellingNote(SchoolOwned, Editable, Base):
    """Restricted: counsellor, principal and admin only; every view audited (DESIGN.md §5)."""

    __tablename__ = "counselling_notes"

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    risk_level: Mapped[RiskLevel] = enum_column(RiskLevel, default=RiskLevel.LOW)


class Aid(SchoolOwned, Editable, Base):
    __tablename__ = "aid"

    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    kind: Mapped[AidKind] = enum_column(AidKind)
    sponsor: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    granted_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))


class Setting(Tracked, Base):
    """Key/value settings; school_id null = installation-wide."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("school_id", "key"),)

    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)


class AuditEntry(Base):
    """Append-only: the app never updates or deletes these rows, and the database refuses to
    (triggers on both backends; migrations 0001 and 0005). A hash chain shows any row changed or
    removed behind the triggers' back (db/audit_chain.py, services/audit.py)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_school_at", "school_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    school_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[AuditAction] = enum_column(AuditAction)
    entity: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str | None] = mapped_column(String(500))
    # The entry_hash of the entry before this one (GENESIS for the first), and this entry's own.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
