"""Who may write and read the growth record (services/permissions.py TABLE): results and
observations follow the archive's rules; 关爱成效 is aggregates only."""

from __future__ import annotations

from services import permissions
from services.actor import Actor
from services.permissions import Action, Scope


def require_results_editor(actor: Actor) -> Scope:
    """Term results (grid, sheet import): principal/admin school-wide, head teacher own classes."""
    return permissions.require(actor, Action.EDIT_RESULTS, needs_school=True)


def require_observer(actor: Actor) -> Scope:
    """成长观察: principal/admin, head teacher (own classes), paired teacher (own children)."""
    return permissions.require(actor, Action.EDIT_OBSERVATIONS, needs_school=True)


def require_outcome_viewer(actor: Actor) -> Scope:
    """关爱成效: principal/admin of a school; the bureau, county aggregates of ≥ 10 children."""
    return permissions.require(actor, Action.VIEW_OUTCOME)
