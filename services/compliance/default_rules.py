"""The default contact rules of DESIGN.md §6, installed for a new school; the admin edits them."""

from __future__ import annotations

import copy

from sqlalchemy.orm import Session

from db.enums import Cadence, ContactChannel, Counterpart, RuleAppliesTo, RuleWho, TermPhase
from db.models import ContactRule

_VISIT_COUNTERPARTS = [
    Counterpart.GUARDIAN.value,
    Counterpart.FATHER.value,
    Counterpart.MOTHER.value,
]
_PARENTS = [Counterpart.FATHER.value, Counterpart.MOTHER.value]


def _home_visit(name: str, phase: TermPhase) -> dict:
    return {
        "name": name,
        "counterparts": list(_VISIT_COUNTERPARTS),
        "channels": [ContactChannel.HOME_VISIT.value],
        "who": RuleWho.HEAD_TEACHER,
        "cadence": Cadence.TERM_PHASE,
        "phase": phase.value,
        "applies_to": RuleAppliesTo.LEFT_BEHIND,
    }


# Column values for ContactRule rows, in display order. An empty `channels` list means any channel.
DEFAULT_RULES: list[dict] = [
    _home_visit("期初家访", TermPhase.START),
    _home_visit("期中家访", TermPhase.MIDDLE),
    _home_visit("期末家访", TermPhase.END),
    {
        "name": "每月与监护人沟通",
        "counterparts": [Counterpart.GUARDIAN.value],
        "channels": [],
        "who": RuleWho.HEAD_TEACHER,
        "cadence": Cadence.MONTHLY,
        "phase": None,
        "applies_to": RuleAppliesTo.LEFT_BEHIND,
    },
    {
        "name": "每月与家长通话",
        "counterparts": list(_PARENTS),
        "channels": [ContactChannel.PHONE.value, ContactChannel.VIDEO.value],
        "who": RuleWho.HEAD_TEACHER,
        "cadence": Cadence.MONTHLY,
        "phase": None,
        "applies_to": RuleAppliesTo.LEFT_BEHIND,
    },
    {
        # The child's own call or letter to the parents, guided and logged by the head teacher.
        "name": "每月亲情联系",
        "counterparts": [Counterpart.CHILD.value],
        "channels": [
            ContactChannel.PHONE.value,
            ContactChannel.VIDEO.value,
            ContactChannel.LETTER.value,
        ],
        "who": RuleWho.HEAD_TEACHER,
        "cadence": Cadence.MONTHLY,
        "phase": None,
        "applies_to": RuleAppliesTo.LEFT_BEHIND,
    },
    {
        "name": "重点儿童每周谈心",
        "counterparts": [Counterpart.CHILD.value],
        "channels": [ContactChannel.MEETING.value],
        "who": RuleWho.PAIRED_TEACHER,
        "cadence": Cadence.WEEKLY,
        "phase": None,
        "applies_to": RuleAppliesTo.KEY,
    },
]


def install_default_rules(
    session: Session, school_id: int, *, created_by: int | None = None
) -> None:
    """Add the default rules to `school_id` (active, in DEFAULT_RULES order); the caller commits."""
    for order, values in enumerate(DEFAULT_RULES, start=1):
        session.add(
            ContactRule(
                school_id=school_id,
                active=True,
                sort_order=order,
                created_by=created_by,
                updated_by=created_by,
                **copy.deepcopy(values),
            )
        )
    session.flush()
