"""Settings (admin only, audited): the term calendar and the contact rules of the admin's school.

The calendar (term dates, holidays, 期初/期中/期末 phases) and the rules are what
services/compliance/engine.py counts against. Saves carry the version the admin saw and write
through services/rows.py (optimistic locking; every change audited as SETTINGS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from db.enums import (
    AuditAction,
    Cadence,
    ContactChannel,
    Counterpart,
    RuleAppliesTo,
    RuleWho,
    TermPhase,
)
from db.models import ContactRule, Term
from locales import t
from services import audit, permissions
from services.actor import Actor
from services.compliance.default_rules import install_default_rules
from services.errors import Problem, ValidationFailed
from services.permissions import Action
from services.rows import AuditAs, create_row, school_row, update_row

TERM_AUDIT = AuditAs("term", action=AuditAction.SETTINGS)
RULE_AUDIT = AuditAs("contact_rule", action=AuditAction.SETTINGS)
PHASE_FIELDS = {
    TermPhase.START.value: ("start_phase_from", "start_phase_to"),
    TermPhase.MIDDLE.value: ("middle_phase_from", "middle_phase_to"),
    TermPhase.END.value: ("end_phase_from", "end_phase_to"),
}


@dataclass
class TermInput:
    name: str
    start_date: date
    end_date: date
    # phase value -> (from, to)
    phases: dict[str, tuple[date, date]]
    holidays: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RuleInput:
    name: str
    counterparts: list[str]
    channels: list[str]
    who: str
    cadence: str
    phase: str | None
    applies_to: str
    active: bool = True
    sort_order: int = 0


# ---- term calendar ---------------------------------------------------------------------------


def parse_holidays(text: str) -> list[dict[str, str]]:
    """'国庆节,2026-10-01,2026-10-07' per line → holiday dicts; ValidationFailed lists bad lines."""
    holidays, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        try:
            name, first, last = parts
            start, end = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            problems.append(
                Problem(str(number), "holidays", line, "settings.problem.holiday_format")
            )
            continue
        if start > end:
            problems.append(Problem(str(number), "holidays", line, "settings.problem.dates_order"))
            continue
        holidays.append({"name": name, "start": start.isoformat(), "end": end.isoformat()})
    if problems:
        raise ValidationFailed(problems)
    return holidays


def format_holidays(holidays: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{h.get('name', '')},{h.get('start', '')},{h.get('end', '')}" for h in holidays
    )


def _check_term(data: TermInput) -> None:
    problems = []
    label = data.name or "-"
    if not data.name.strip():
        problems.append(Problem(label, "name", data.name, "settings.problem.name_required"))
    if data.start_date > data.end_date:
        problems.append(Problem(label, "end_date", data.end_date, "settings.problem.dates_order"))
    for phase, (first, last) in data.phases.items():
        if first > last:
            problems.append(Problem(label, phase, first, "settings.problem.dates_order"))
        elif first < data.start_date or last > data.end_date:
            problems.append(Problem(label, phase, first, "settings.problem.phase_outside_term"))
    for holiday in data.holidays:
        if (
            holiday["start"] < data.start_date.isoformat()
            or holiday["end"] > data.end_date.isoformat()
        ):
            problems.append(
                Problem(
                    label, "holidays", holiday["name"], t("settings.problem.holiday_outside_term")
                )
            )
    if problems:
        raise ValidationFailed(problems)


def list_terms(session: Session, actor: Actor) -> pd.DataFrame:
    """Terms of the admin's school, newest first (all Term columns the settings page edits)."""
    school_id = permissions.require_in_school(actor, Action.EDIT_SETTINGS)
    terms = session.scalars(
        select(Term)
        .where(Term.school_id == school_id, Term.deleted_at.is_(None))
        .order_by(Term.start_date.desc())
    ).all()
    return pd.DataFrame([_plain(term) for term in terms])


def save_term(
    session: Session,
    actor: Actor,
    data: TermInput,
    term_id: int | None = None,
    version: int | None = None,
) -> int:
    """Create (term_id None) or update a term at the `version` the admin saw; raises
    ValidationFailed / ConflictError."""
    school_id = permissions.require_in_school(actor, Action.EDIT_SETTINGS)
    _check_term(data)
    values: dict[str, Any] = {
        "name": data.name.strip(),
        "start_date": data.start_date,
        "end_date": data.end_date,
        "holidays": data.holidays,
    }
    for phase, (first, last) in data.phases.items():
        values[PHASE_FIELDS[phase][0]], values[PHASE_FIELDS[phase][1]] = first, last
    return _create_or_update(
        session, actor, Term, school_id, term_id, version, values, data.name, TERM_AUDIT
    )


def _create_or_update(
    session: Session,
    actor: Actor,
    model: type[Term] | type[ContactRule],
    school_id: int,
    entity_id: int | None,
    version: int | None,
    values: dict[str, Any],
    label: str,
    audit_as: AuditAs,
) -> int:
    """A new row of the school (entity_id None), or the school's row updated at `version`."""
    if entity_id is None:
        row = model(school_id=school_id, **values)
        create_row(session, actor, row, audit_as)
    else:
        row = school_row(session, model, entity_id, school_id, model.__name__)
        update_row(session, actor, row, version, values, label, audit_as)
    return row.id


def _plain(obj: Any) -> dict[str, Any]:
    """Column values of an ORM object (enums as their values), for a DataFrame row."""
    return {
        col.key: getattr(getattr(obj, col.key), "value", getattr(obj, col.key))
        for col in inspect(obj).mapper.column_attrs
    }


# ---- contact rules ---------------------------------------------------------------------------


def list_rules(session: Session, actor: Actor) -> pd.DataFrame:
    """Rules of the admin's school (active or not), in display order."""
    school_id = permissions.require_in_school(actor, Action.EDIT_SETTINGS)
    rules = session.scalars(
        select(ContactRule)
        .where(ContactRule.school_id == school_id, ContactRule.deleted_at.is_(None))
        .order_by(ContactRule.sort_order, ContactRule.id)
    ).all()
    return pd.DataFrame([_plain(rule) for rule in rules])


def _check_rule(data: RuleInput) -> None:
    label = data.name or "-"
    problems = []

    def bad(column: str, value: object, key: str) -> None:
        problems.append(Problem(label, column, value, f"settings.problem.{key}"))

    if not data.name.strip():
        bad("name", data.name, "name_required")
    if not data.counterparts:
        bad("counterparts", data.counterparts, "counterparts_required")
    allowed = {
        "counterparts": {c.value for c in Counterpart},
        "channels": {c.value for c in ContactChannel},
    }
    for column, options in allowed.items():
        for value in getattr(data, column):
            if value not in options:
                bad(column, value, "unknown_value")
    for column, enum_cls in (("who", RuleWho), ("cadence", Cadence), ("applies_to", RuleAppliesTo)):
        if getattr(data, column) not in {m.value for m in enum_cls}:
            bad(column, getattr(data, column), "unknown_value")
    if data.phase and data.cadence != Cadence.TERM_PHASE.value:
        bad("phase", data.phase, "phase_only_for_term_phase")
    if data.phase and data.phase not in PHASE_FIELDS:
        bad("phase", data.phase, "unknown_value")
    if problems:
        raise ValidationFailed(problems)


def save_rule(
    session: Session,
    actor: Actor,
    data: RuleInput,
    rule_id: int | None = None,
    version: int | None = None,
) -> int:
    """Create (rule_id None) or update a contact rule at the `version` the admin saw; raises
    ValidationFailed / ConflictError."""
    school_id = permissions.require_in_school(actor, Action.EDIT_SETTINGS)
    _check_rule(data)
    values = {
        "name": data.name.strip(),
        "counterparts": list(data.counterparts),
        "channels": list(data.channels),
        "who": RuleWho(data.who),
        "cadence": Cadence(data.cadence),
        "phase": data.phase or None,
        "applies_to": RuleAppliesTo(data.applies_to),
        "active": bool(data.active),
        "sort_order": int(data.sort_order),
    }
    return _create_or_update(
        session, actor, ContactRule, school_id, rule_id, version, values, data.name, RULE_AUDIT
    )


def install_defaults_if_empty(session: Session, actor: Actor) -> bool:
    """Install DESIGN.md §6's default rules when the school has none; True if installed."""
    school_id = permissions.require_in_school(actor, Action.EDIT_SETTINGS)
    existing = session.scalar(
        select(func.count(ContactRule.id)).where(
            ContactRule.school_id == school_id, ContactRule.deleted_at.is_(None)
        )
    )
    if existing:
        return False
    install_default_rules(session, school_id, created_by=actor.user_id)
    audit.record(
        session, actor, AuditAction.SETTINGS, "contact_rule", None, None, {"defaults": True}
    )
    return True
