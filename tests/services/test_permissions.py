"""The §5 table walked whole (issue 13 item 12): for every role and every action of
services/permissions.py, a real service call succeeds when the table allows it and is refused
(NotAllowed, or the hidden/empty answer where a service hides rather than refuses) when not.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the `session` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import RiskLevel, Role
from db.models import CounsellingNote, Term
from services import permissions
from services.accounts import user_admin
from services.care import activities, aid, counselling, health, signin_sheet
from services.compliance import risk, settings, todo
from services.errors import NotAllowed
from services.growth import access as growth_access
from services.importing import plan
from services.metrics import records as metric_records
from services.metrics.scope import Period, Scope
from services.ops import audit_log, backup
from services.permissions import Action
from services.records import child_writes, children, contacts, pairings
from services.records.grid_rows import GridChanges
from services.reports import exports
from tests.factories import actor_of, make_user
from tests.services.care_helpers import CareSchool, make_activity, make_care_school

# Restore replaces the whole database from a backup: the server's CLI does it
# (services/ops/backup_cli.py), no app service takes an actor for it.
CLI_ONLY = {Action.RESTORE}
NONE = GridChanges()
AS_OF = date(2026, 11, 28)


class Case:
    def __init__(self, session: Any, s: CareSchool) -> None:
        self.session, self.s = session, s
        self.term_id = session.scalar(select(Term.id).where(Term.school_id == s.school.id))
        self.kid = s.children_a[0]
        self.activity_id = make_activity(session, s.principal, [s.class_a])
        session.add(
            CounsellingNote(school_id=s.school.id, child_id=self.kid.id, note_date=AS_OF,
                            summary="…", risk_level=RiskLevel.HIGH)
        )  # fmt: skip
        session.flush()


def _column(case: Case, actor: Any, field: str) -> Any:
    specs = children.child_columns(case.session, actor)
    return next(spec for spec in specs if spec.field == field)


CALLS: dict[Action, Callable[[Case, Any], Any]] = {
    Action.VIEW_CHILDREN: lambda c, a: children.load_children(c.session, a, [c.kid.id]),
    Action.EDIT_CHILDREN: lambda c, a: child_writes.save_children(c.session, a, NONE),
    Action.VIEW_ID_CARD: lambda c, a: _column(c, a, "id_card_no").may_see(a.role),
    Action.EDIT_ID_CARD: lambda c, a: _column(c, a, "id_card_no").may_edit(a.role),
    Action.UNDELETE: lambda c, a: child_writes.list_deleted_children(c.session, a),
    Action.VIEW_AID: lambda c, a: aid.aid_totals(c.session, a),
    Action.EDIT_AID: lambda c, a: aid.save_aid_changes(c.session, a, NONE, c.term_id),
    Action.VIEW_COUNSELLING: lambda c, a: counselling.list_notes(c.session, a),
    Action.EDIT_COUNSELLING: lambda c, a: counselling.create_note(
        c.session, a, counselling.NoteInput(c.kid.id, AS_OF, "谈心")
    ),
    Action.VIEW_HIGH_RISK: lambda c, a: bool(
        counselling.high_risk_child_ids(c.session, a, today=AS_OF)
    ),
    Action.VIEW_CONTACTS: lambda c, a: contacts.list_contacts(
        c.session, a, contacts.ContactFilter()
    ),
    Action.EDIT_CONTACTS: lambda c, a: contacts.save_contacts(c.session, a, NONE),
    Action.VIEW_PAIRINGS: lambda c, a: pairings.teacher_loads(c.session, a, c.term_id),
    Action.ASSIGN_PAIRINGS: lambda c, a: pairings.save_pairings(c.session, a, c.term_id, NONE),
    Action.VIEW_ACTIVITIES: lambda c, a: activities.list_activities(c.session, a),
    Action.EDIT_ACTIVITIES: lambda c, a: activities.save_activity_changes(c.session, a, NONE),
    Action.SIGN_IN_ACTIVITY: lambda c, a: signin_sheet.signin_roster(c.session, a, c.activity_id),
    Action.EDIT_HEALTH: lambda c, a: health.health_classrooms(c.session, a),
    Action.VIEW_RISK: lambda c, a: risk.risk_list(c.session, a, as_of=AS_OF),
    Action.VIEW_TODO: lambda c, a: todo.my_todo(c.session, a, as_of=AS_OF),
    Action.VIEW_METRICS: lambda c, a: metric_records.aid_by_kind(
        c.session, a, Scope(), Period("month", date(2026, 11, 1), AS_OF), AS_OF
    ),
    Action.MANAGE_USERS: lambda c, a: user_admin.require_admin(a),
    Action.EDIT_SETTINGS: lambda c, a: settings.list_terms(c.session, a),
    Action.BACKUPS: lambda c, a: backup.require_backup_admin(a),
    Action.EXPORT_FULL: lambda c, a: not exports.is_masked(a),
    Action.EXPORT_MASKED: lambda c, a: exports.require_reporter(a),
    Action.VIEW_AUDIT: lambda c, a: audit_log.list_entities(c.session, a),
    Action.VERIFY_AUDIT: lambda c, a: audit_log.verify_audit_chain(c.session, a),
    Action.IMPORT_ROSTER: lambda c, a: plan.require_importer(a),
    Action.EDIT_RESULTS: lambda c, a: growth_access.require_results_editor(a),
    Action.EDIT_OBSERVATIONS: lambda c, a: growth_access.require_observer(a),
    Action.VIEW_OUTCOME: lambda c, a: growth_access.require_outcome_viewer(a),
}


def test_every_action_of_the_table_has_a_call():
    assert set(CALLS) | CLI_ONLY == set(Action)
    assert set(permissions.TABLE) == set(Role)


@pytest.mark.parametrize("action", sorted(CALLS, key=str))
def test_each_role_may_do_exactly_what_the_table_says(session, action):
    s = make_care_school(session)
    case = Case(session, s)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county=s.school.county))
    actors = {
        Role.ADMIN: s.admin,
        Role.PRINCIPAL: s.principal,
        Role.HEAD_TEACHER: s.head,
        Role.TEACHER: s.teacher,
        Role.COUNSELLOR: s.counsellor,
        Role.BUREAU: bureau,
    }
    for role, actor in actors.items():
        if permissions.allows(actor, action):
            assert CALLS[action](case, actor) is not False, (role, action)
        else:
            try:
                result = CALLS[action](case, actor)
            except NotAllowed:
                continue
            assert result is False, (role, action, "should be refused")


def test_the_table_says_what_design_section_5_says():
    """Pinned: a change to who may do what is a deliberate edit of this list and of DESIGN §5."""
    ad, pr, he, te, co, bu = (
        Role.ADMIN, Role.PRINCIPAL, Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR, Role.BUREAU
    )  # fmt: skip
    expected = {
        Action.VIEW_CHILDREN: {ad, pr, he, te, co},
        Action.EDIT_CHILDREN: {ad, pr, he},
        Action.VIEW_AID: {ad, pr, he, bu},  # the bureau: county totals only
        Action.EDIT_AID: {ad, pr},
        Action.VIEW_COUNSELLING: {ad, pr, co},
        Action.EDIT_COUNSELLING: {ad, pr, co},
        Action.VIEW_CONTACTS: {ad, pr, he, te, co},
        Action.EDIT_CONTACTS: {ad, pr, he, te},
        Action.ASSIGN_PAIRINGS: {ad, pr},
        Action.EDIT_ACTIVITIES: {ad, pr},
        Action.SIGN_IN_ACTIVITY: {ad, pr, he},
        Action.EDIT_HEALTH: {ad, pr, he},
        Action.MANAGE_USERS: {ad},
        Action.EDIT_SETTINGS: {ad},
        Action.RESTORE: {ad},
        Action.BACKUPS: {ad},
        Action.EXPORT_FULL: {ad, pr},
        Action.EXPORT_MASKED: {ad, pr, bu},
        Action.VIEW_AUDIT: {ad, pr},
        Action.IMPORT_ROSTER: {ad, pr},
    }
    for action, roles in expected.items():
        assert permissions.roles_with(action) == roles, action
    scope = permissions.TABLE
    assert scope[he][Action.VIEW_AID] == permissions.Scope.OWN_CLASSES
    assert scope[te][Action.VIEW_CHILDREN] == permissions.Scope.OWN_PAIRED
    assert scope[bu][Action.VIEW_AID] == permissions.Scope.COUNTY_AGGREGATE
