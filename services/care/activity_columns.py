"""The activity grid's columns (services/records/specs.py) and who may edit them."""

from __future__ import annotations

from collections.abc import Callable

from db.enums import ActivityType
from services import permissions
from services.permissions import Action
from services.records.specs import ColumnSpec, ColumnType

EDITOR_ROLES = permissions.roles_with(Action.EDIT_ACTIVITIES)


def activity_specs(class_names: list[str]) -> list[ColumnSpec]:
    """Grid columns of the activity table; `classes` offers the school's class names."""
    editors = frozenset(EDITOR_ROLES)
    return [
        ColumnSpec("title", "activities.col.title", required=True, validator=_max_len(100),
                   edit_roles=editors, width=180),
        ColumnSpec("activity_type", "activities.col.type", ColumnType.SELECT, required=True,
                   options=tuple(m.value for m in ActivityType),
                   option_prefix="enum.ActivityType.", edit_roles=editors, width=140),
        ColumnSpec("activity_date", "activities.col.date", ColumnType.DATE, required=True,
                   edit_roles=editors),
        ColumnSpec("attended", "activities.col.attended", ColumnType.INT, computed=True),
        ColumnSpec("attended_left_behind", "activities.col.attended_left_behind",
                   ColumnType.INT, computed=True),
        ColumnSpec("place", "activities.col.place", validator=_max_len(100), edit_roles=editors),
        ColumnSpec("organiser", "activities.col.organiser", validator=_max_len(64),
                   edit_roles=editors),
        ColumnSpec("classes", "activities.col.classes", ColumnType.MULTISELECT,
                   options=tuple(class_names), edit_roles=editors, width=220),
        ColumnSpec("description", "activities.col.description", edit_roles=editors, width=200),
    ]  # fmt: skip


def _max_len(limit: int) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        return f"activities.reason.too_long_{limit}" if len(str(value)) > limit else None

    return check
