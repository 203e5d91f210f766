"""The §5 role table as data: role × action → scope (DESIGN.md §5), and the questions services ask.

Every service asks this table instead of keeping its own role set:

- `require(actor, Action.X)` raises NotAllowed unless the role may do X (and, for the school
  scopes, the actor belongs to a school);
- `allows(actor, Action.X)` is the same question as a bool;
- `scope(actor, Action.X)` says how far it reaches (school, own classes, own paired children,
  the county's aggregates, or none).

`tests/services/test_permissions.py` walks the whole table: for each role and action an allowed
call succeeds and a forbidden one raises NotAllowed, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from enum import StrEnum

from db.enums import Role
from services.actor import Actor
from services.errors import NotAllowed


class Action(StrEnum):
    VIEW_CHILDREN = "view_children"
    EDIT_CHILDREN = "edit_children"
    VIEW_ID_CARD = "view_id_card"
    EDIT_ID_CARD = "edit_id_card"
    UNDELETE = "undelete"  # restore soft-deleted rows (children, contacts, …)
    VIEW_AID = "view_aid"
    EDIT_AID = "edit_aid"
    VIEW_COUNSELLING = "view_counselling"
    EDIT_COUNSELLING = "edit_counselling"
    VIEW_HIGH_RISK = "view_high_risk"  # which children have a recent high-risk note (no note text)
    VIEW_CONTACTS = "view_contacts"
    EDIT_CONTACTS = "edit_contacts"
    VIEW_PAIRINGS = "view_pairings"
    ASSIGN_PAIRINGS = "assign_pairings"
    VIEW_ACTIVITIES = "view_activities"
    EDIT_ACTIVITIES = "edit_activities"
    SIGN_IN_ACTIVITY = "sign_in_activity"
    EDIT_HEALTH = "edit_health"
    VIEW_RISK = "view_risk"
    VIEW_TODO = "view_todo"  # 我的待办: the duties of the actor's own classes and paired children
    VIEW_METRICS = "view_metrics"  # dashboard and aggregate figures
    MANAGE_USERS = "manage_users"
    EDIT_SETTINGS = "edit_settings"
    RESTORE = "restore"
    BACKUPS = "backups"
    EXPORT_FULL = "export_full"
    EXPORT_MASKED = "export_masked"
    VIEW_AUDIT = "view_audit"
    VERIFY_AUDIT = "verify_audit"
    IMPORT_ROSTER = "import_roster"
    # 成长记录 (issue 17): results and observations follow the archive's rules (VIEW_CHILDREN)
    EDIT_RESULTS = "edit_results"  # term results: enter in the grid, import the class's sheet
    EDIT_OBSERVATIONS = "edit_observations"  # 成长观察: head teacher, paired teacher
    VIEW_OUTCOME = "view_outcome"  # 关爱成效: aggregates only (bureau: groups of ≥ 10)


class Scope(StrEnum):
    SCHOOL = "school"  # everything of the actor's school
    OWN_CLASSES = "own_classes"  # a head teacher's classes (plus paired children where it says so)
    OWN_PAIRED = "own_paired"  # the children paired with the actor
    COUNTY_AGGREGATE = "county_aggregate"  # the bureau: aggregates/masked lists of its county
    NONE = "none"


A, S = Action, Scope
ADMIN, PRINCIPAL, HEAD, TEACHER, COUNSELLOR, BUREAU = (
    Role.ADMIN,
    Role.PRINCIPAL,
    Role.HEAD_TEACHER,
    Role.TEACHER,
    Role.COUNSELLOR,
    Role.BUREAU,
)

# What the principal does school-wide; the admin does all of it and also runs the installation.
PRINCIPAL_ACTIONS = (
    A.VIEW_ID_CARD, A.EDIT_ID_CARD, A.UNDELETE,
    A.VIEW_HIGH_RISK, A.VIEW_PAIRINGS, A.VIEW_ACTIVITIES, A.VIEW_METRICS,
    A.VIEW_CHILDREN, A.EDIT_CHILDREN, A.VIEW_AID, A.EDIT_AID,
    A.VIEW_COUNSELLING, A.EDIT_COUNSELLING, A.VIEW_CONTACTS, A.EDIT_CONTACTS,
    A.ASSIGN_PAIRINGS, A.EDIT_ACTIVITIES, A.SIGN_IN_ACTIVITY, A.EDIT_HEALTH, A.VIEW_RISK,
    A.EXPORT_FULL, A.EXPORT_MASKED, A.VIEW_AUDIT, A.IMPORT_ROSTER,
    A.EDIT_RESULTS, A.EDIT_OBSERVATIONS, A.VIEW_OUTCOME,
)  # fmt: skip
ADMIN_ONLY = (A.VERIFY_AUDIT, A.MANAGE_USERS, A.EDIT_SETTINGS, A.RESTORE, A.BACKUPS)

# role → action → scope; an action missing from a role's row is Scope.NONE.
TABLE: dict[Role, dict[Action, Scope]] = {
    ADMIN: dict.fromkeys((*PRINCIPAL_ACTIONS, *ADMIN_ONLY), S.SCHOOL),
    PRINCIPAL: dict.fromkeys(PRINCIPAL_ACTIONS, S.SCHOOL),
    HEAD: {
        A.VIEW_ID_CARD: S.OWN_CLASSES, A.VIEW_HIGH_RISK: S.OWN_CLASSES,
        A.VIEW_PAIRINGS: S.OWN_CLASSES, A.VIEW_ACTIVITIES: S.OWN_CLASSES,
        A.VIEW_TODO: S.OWN_CLASSES,
        A.VIEW_CHILDREN: S.OWN_CLASSES, A.EDIT_CHILDREN: S.OWN_CLASSES,
        A.VIEW_AID: S.OWN_CLASSES,  # §5: own classes only, never the paired children of others
        A.VIEW_CONTACTS: S.OWN_CLASSES, A.EDIT_CONTACTS: S.OWN_CLASSES,
        A.SIGN_IN_ACTIVITY: S.OWN_CLASSES, A.EDIT_HEALTH: S.OWN_CLASSES,
        A.VIEW_RISK: S.OWN_CLASSES,
        A.EDIT_RESULTS: S.OWN_CLASSES, A.EDIT_OBSERVATIONS: S.OWN_CLASSES,
    },
    TEACHER: {
        A.VIEW_TODO: S.OWN_PAIRED,
        A.VIEW_CHILDREN: S.OWN_PAIRED,
        A.VIEW_CONTACTS: S.OWN_PAIRED, A.EDIT_CONTACTS: S.OWN_PAIRED,
        A.EDIT_OBSERVATIONS: S.OWN_PAIRED,
    },
    COUNSELLOR: {
        A.VIEW_HIGH_RISK: S.SCHOOL,
        A.VIEW_CHILDREN: S.SCHOOL,
        A.VIEW_COUNSELLING: S.SCHOOL, A.EDIT_COUNSELLING: S.SCHOOL,
        A.VIEW_CONTACTS: S.SCHOOL, A.VIEW_RISK: S.SCHOOL,
    },
    BUREAU: {
        A.VIEW_METRICS: S.COUNTY_AGGREGATE,
        A.VIEW_AID: S.COUNTY_AGGREGATE,  # totals only
        A.VIEW_RISK: S.COUNTY_AGGREGATE,  # masked
        A.EXPORT_MASKED: S.COUNTY_AGGREGATE,
        A.VIEW_OUTCOME: S.COUNTY_AGGREGATE,  # groups of at least 10 children
    },
}  # fmt: skip


def scope(actor: Actor, action: Action) -> Scope:
    """How far `actor` may do `action` (Scope.NONE: not at all)."""
    return TABLE.get(actor.role, {}).get(action, Scope.NONE)


def allows(actor: Actor, action: Action, *, needs_school: bool = False) -> bool:
    """True when the table grants `action` to the actor's role (and, with `needs_school`, the
    actor belongs to a school)."""
    if scope(actor, action) is Scope.NONE:
        return False
    return not needs_school or actor.school_id is not None


def require(actor: Actor, action: Action, *, needs_school: bool = False) -> Scope:
    """Raise NotAllowed unless `allows(...)`; return the scope."""
    if not allows(actor, action, needs_school=needs_school):
        raise NotAllowed(f"role {actor.role} may not {action}")
    return scope(actor, action)


def require_in_school(actor: Actor, action: Action) -> int:
    """`require` for the actions done inside one school; returns the actor's school id."""
    require(actor, action, needs_school=True)
    assert actor.school_id is not None
    return actor.school_id


def roles_with(action: Action) -> frozenset[Role]:
    """The roles the table grants `action` (column specs; pages hide what is refused)."""
    return frozenset(
        role for role, row in TABLE.items() if row.get(action, Scope.NONE) != Scope.NONE
    )
