"""Settings services: term calendar and rules are admin-only, validated, versioned and audited."""

from datetime import date

import pytest

from db.enums import AuditAction, Role
from db.models import AuditEntry
from services.compliance.settings import (
    RuleInput,
    TermInput,
    list_rules,
    parse_holidays,
    save_rule,
    save_term,
)
from services.errors import ConflictError, NotAllowed, ValidationFailed
from tests.factories import actor_of, make_school, make_user

PHASES = {
    "start": (date(2026, 9, 1), date(2026, 9, 30)),
    "middle": (date(2026, 11, 1), date(2026, 11, 20)),
    "end": (date(2026, 12, 21), date(2027, 1, 20)),
}


@pytest.fixture
def admin(session):
    school = make_school(session)
    return actor_of(session, make_user(session, school, Role.ADMIN))


def test_term_is_saved_with_holidays_and_audited(session, admin):
    holidays = parse_holidays("国庆节,2026-10-01,2026-10-07\n\n元旦，2027-01-01，2027-01-03")
    term_id = save_term(
        session,
        admin,
        TermInput("2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20), PHASES, holidays),
    )
    entry = session.query(AuditEntry).filter_by(entity="term", entity_id=term_id).one()
    assert entry.action == AuditAction.SETTINGS
    assert holidays[1] == {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}


def test_bad_term_explains_every_problem(session, admin):
    with pytest.raises(ValidationFailed) as caught:
        save_term(
            session,
            admin,
            TermInput(
                "",
                date(2026, 9, 1),
                date(2027, 1, 20),
                PHASES | {"middle": (date(2027, 3, 1), date(2027, 3, 5))},
                [{"name": "寒假", "start": "2027-01-15", "end": "2027-02-20"}],
            ),
        )
    assert {p.column for p in caught.value.problems} == {"name", "middle", "holidays"}
    with pytest.raises(ValidationFailed):
        parse_holidays("国庆节,2026-10-01")


def test_rule_edit_checks_version_and_values(session, admin):
    data = RuleInput(
        "每月家访", ["guardian"], ["home_visit"], "head_teacher", "monthly", None, "left_behind"
    )
    rule_id = save_rule(session, admin, data)
    save_rule(session, admin, RuleInput(**{**data.__dict__, "name": "每月家访（改）"}), rule_id, 1)
    assert list(list_rules(session, admin)["name"]) == ["每月家访（改）"]
    with pytest.raises(ConflictError):
        save_rule(session, admin, data, rule_id, 1)
    with pytest.raises(ValidationFailed) as caught:
        save_rule(
            session, admin, RuleInput("x", [], ["fax"], "head_teacher", "monthly", "middle", "key")
        )
    assert {p.column for p in caught.value.problems} == {"counterparts", "channels", "phase"}


def test_only_the_admin_edits_settings(session, admin):
    principal = actor_of(session, make_user(session, make_school(session), Role.PRINCIPAL))
    with pytest.raises(NotAllowed):
        list_rules(session, principal)
