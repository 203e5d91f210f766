"""The setup wizard's service (#14): a real school's first day, in the browser.

While the database holds no school, the browser shows the wizard instead of the login form. It
gathers the school (name, code, county), its first administrator (with a password chosen there,
under the password policy), the school year (autumn and spring terms with their 期初/期中/期末
phases and holidays, prefilled with the usual dates) and shows the default contact rules; then
`set_up_school` writes all of it in one transaction with one audit entry, and never again: once a
school exists it refuses (AlreadySetUp), so two browsers finishing at once make one school.

Nobody is signed in before the first administrator exists, so `set_up_school` takes no actor: the
audit entry names the administrator it creates. The caller (the wizard, through
components/feedback.py) commits.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from db.enums import (
    AuditAction,
    Cadence,
    ContactChannel,
    Counterpart,
    Role,
    RuleAppliesTo,
    RuleWho,
    TermPhase,
)
from db.models import School, Term, User
from locales import enum_label, t
from services import audit
from services.accounts.passwords import hash_password, password_issues
from services.accounts.signin import normalise_username
from services.accounts.user_admin import PHONE_PATTERN, USERNAME_PATTERN
from services.actor import Actor
from services.compliance.default_rules import DEFAULT_RULES, install_default_rules
from services.compliance.settings import PHASE_FIELDS, TermInput, _check_term
from services.errors import Problem, ServiceError, ValidationFailed
from services.installation import Kind, has_school, write_marker

# Any constant will do: it only has to be the same for every wizard (PostgreSQL advisory lock).
_SETUP_LOCK = 1_404_140_001


class AlreadySetUp(ServiceError):
    message_key = "setup.already_done"


@dataclass(frozen=True)
class SchoolDraft:
    name: str
    code: str
    county: str


@dataclass(frozen=True)
class AdminDraft:
    username: str
    display_name: str
    password: str
    repeat: str
    phone: str | None = None


@dataclass(frozen=True)
class SetupDraft:
    school: SchoolDraft
    admin: AdminDraft
    terms: list[TermInput] = field(default_factory=list)


@dataclass(frozen=True)
class SetupResult:
    school_id: int
    admin_user_id: int
    admin_username: str


# --- the suggested school year -------------------------------------------------------------------


def school_year_start(today: date) -> int:
    """The autumn the school year to set up begins in: the running one, or from July the next."""
    return today.year if today.month >= 7 else today.year - 1


def suggested_terms(today: date) -> list[TermInput]:
    """Autumn (1 Sep – 15 Jan) and spring (15 Feb – 5 Jul) of the school year, with the usual
    phases and holidays (国庆节, 元旦; 劳动节); the wizard shows them for editing."""
    year = school_year_start(today)
    nxt = year + 1
    autumn = _term(
        f"{year}年秋季学期",
        start=(date(year, 9, 1), date(year, 9, 30)),
        middle=(date(year, 10, 26), date(year, 11, 20)),
        end=(date(year, 12, 15), date(nxt, 1, 15)),
        holidays=[
            _holiday("国庆节", date(year, 10, 1), date(year, 10, 7)),
            _holiday("元旦", date(nxt, 1, 1), date(nxt, 1, 1)),
        ],
    )
    spring = _term(
        f"{nxt}年春季学期",
        start=(date(nxt, 2, 15), date(nxt, 3, 15)),
        middle=(date(nxt, 4, 15), date(nxt, 5, 15)),
        end=(date(nxt, 6, 10), date(nxt, 7, 5)),
        holidays=[_holiday("劳动节", date(nxt, 5, 1), date(nxt, 5, 5))],
    )
    return [autumn, spring]


def _term(
    name: str,
    start: tuple[date, date],
    middle: tuple[date, date],
    end: tuple[date, date],
    holidays: list[dict[str, str]],
) -> TermInput:
    """A term from its three phases: it opens with the first and closes with the last."""
    phases = {"start": start, "middle": middle, "end": end}
    return TermInput(name, start[0], end[1], phases, holidays)


def _holiday(name: str, first: date, last: date) -> dict[str, str]:
    return {"name": name, "start": first.isoformat(), "end": last.isoformat()}


def default_rules_table() -> pd.DataFrame:
    """The default contact rules (DESIGN.md §6) as the wizard shows them for confirmation."""
    any_channel = t("todo.any_channel")
    rows = []
    for rule in DEFAULT_RULES:
        rows.append(
            {
                "name": rule["name"],
                "counterparts": "、".join(enum_label(c, Counterpart) for c in rule["counterparts"]),
                "channels": "、".join(enum_label(c, ContactChannel) for c in rule["channels"])
                or any_channel,
                "cadence": enum_label(rule["cadence"], Cadence),
                "phase": enum_label(rule["phase"], TermPhase) if rule["phase"] else "",
                "who": enum_label(rule["who"], RuleWho),
                "applies_to": enum_label(rule["applies_to"], RuleAppliesTo),
            }
        )
    return pd.DataFrame(rows)


# --- checks, one per wizard step (pure) ---------------------------------------------------------


def check_school(draft: SchoolDraft) -> None:
    problems = []
    for column, limit in (("name", 100), ("code", 32), ("county", 100)):
        value = getattr(draft, column).strip()
        if not value or len(value) > limit:
            problems.append(
                Problem(t("setup.step.school"), column, value, f"setup.problem.{column}_required",
                        {"max": limit})
            )  # fmt: skip
    if problems:
        raise ValidationFailed(problems)


def check_admin(draft: AdminDraft) -> None:
    """The administrator's account: a valid username and name, and a password the policy takes."""
    label = draft.display_name or draft.username
    username = normalise_username(draft.username)
    problems = []

    def bad(column: str, value: object, reason: str, params: dict | None = None) -> None:
        problems.append(Problem(label, column, value, reason, params or {}))

    if not USERNAME_PATTERN.match(username):
        bad("username", draft.username, "accounts.username_invalid")
    if not draft.display_name.strip() or len(draft.display_name.strip()) > 64:
        bad("display_name", draft.display_name, "accounts.display_name_required")
    if draft.phone and not PHONE_PATTERN.match(draft.phone.strip()):
        bad("phone", draft.phone, "accounts.phone_invalid")
    for issue in password_issues(draft.password, username):
        bad("password", "", issue.reason, dict(issue.params))
    if draft.password != draft.repeat:
        bad("repeat", "", "accounts.passwords_differ")
    if problems:
        raise ValidationFailed(problems)


def check_terms(terms: list[TermInput]) -> None:
    """Each term passes the settings page's own checks; at least one term, none overlapping."""
    problems: list[Problem] = []
    if not terms:
        problems.append(Problem(t("setup.step.year"), "terms", "", "setup.problem.no_term"))
    for term in terms:
        try:
            _check_term(term)
        except ValidationFailed as exc:
            problems += exc.problems
    ordered = sorted(terms, key=lambda term: term.start_date)
    for earlier, later in itertools.pairwise(ordered):
        if later.start_date <= earlier.end_date:
            problems.append(
                Problem(later.name, "start_date", later.start_date, "setup.problem.terms_overlap",
                        {"other": earlier.name})
            )  # fmt: skip
    if problems:
        raise ValidationFailed(problems)


# --- the one write -------------------------------------------------------------------------------


def set_up_school(session: Session, draft: SetupDraft) -> SetupResult:
    """Create the school, its administrator, the terms and the default rules; one audit entry.

    Raises AlreadySetUp once any school exists, ValidationFailed for a bad step."""
    _lock(session)
    if has_school(session):
        raise AlreadySetUp("the database already holds a school")
    check_school(draft.school)
    check_admin(draft.admin)
    check_terms(draft.terms)
    school = School(
        name=draft.school.name.strip(),
        code=draft.school.code.strip(),
        county=draft.school.county.strip(),
    )
    session.add(school)
    session.flush()
    admin = User(
        school_id=school.id,
        county=school.county,
        username=normalise_username(draft.admin.username),
        display_name=draft.admin.display_name.strip(),
        role=Role.ADMIN,
        phone=(draft.admin.phone or "").strip() or None,
        password_hash=hash_password(draft.admin.password),
        active=True,
        must_change_password=False,  # chosen by the administrator in the wizard
    )
    session.add(admin)
    session.flush()
    school.created_by = school.updated_by = admin.id
    admin.created_by = admin.updated_by = admin.id
    for term in draft.terms:
        session.add(Term(school_id=school.id, created_by=admin.id, updated_by=admin.id,
                         **_term_values(term)))  # fmt: skip
    install_default_rules(session, school.id, created_by=admin.id)
    write_marker(session, Kind.REAL)
    actor = Actor(admin.id, admin.username, admin.display_name, Role.ADMIN, school.id,
                  school.county)  # fmt: skip
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        "school",
        school.id,
        None,
        _audited(school, admin, draft),
        detail="setup wizard: school, administrator, school year, default contact rules",
    )
    return SetupResult(school.id, admin.id, admin.username)


def _lock(session: Session) -> None:
    """Serialise wizards: SQLite write transactions already begin IMMEDIATE; PostgreSQL waits on
    an advisory lock held to the end of the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK})


def _term_values(term: TermInput) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": term.name.strip(),
        "start_date": term.start_date,
        "end_date": term.end_date,
        "holidays": list(term.holidays),
    }
    for phase, (first, last) in term.phases.items():
        values[PHASE_FIELDS[phase][0]], values[PHASE_FIELDS[phase][1]] = first, last
    return values


def _audited(school: School, admin: User, draft: SetupDraft) -> dict[str, Any]:
    return {
        "school": {"name": school.name, "code": school.code, "county": school.county},
        "administrator": {"username": admin.username, "display_name": admin.display_name},
        "terms": [
            {
                "name": term.name.strip(),
                "start": term.start_date.isoformat(),
                "end": term.end_date.isoformat(),
                "holidays": [h["name"] for h in term.holidays],
            }
            for term in draft.terms
        ],
        "contact_rules": [rule["name"] for rule in DEFAULT_RULES],
    }
