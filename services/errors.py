"""Small domain errors that pages turn into one clear message each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from locales import t


class ServiceError(Exception):
    """Base class; `message_key` names a locales/ string, `params` fill it."""

    message_key = "error.generic"

    def __init__(self, message: str = "", **params: object) -> None:
        super().__init__(message or self.message_key)
        self.params = params


class NotAllowed(ServiceError):
    message_key = "error.not_allowed"


class NotFound(ServiceError):
    message_key = "error.not_found"


@dataclass(frozen=True)
class Problem:
    """One bad cell: which row (a human label such as the child's name), which field, why."""

    row: str
    column: str
    value: object
    reason: str  # a locales/ key, never translated text; `params` fill it
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason in the user's language."""
        return t(self.reason, **self.params)


class ValidationFailed(ServiceError):
    message_key = "error.validation_failed"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Conflict:
    """A row someone else saved since it was loaded."""

    row: str
    entity_id: int
    changed_by: str | None
    changed_at: object
    fields: list[str] = field(default_factory=list)


class ConflictError(ServiceError):
    message_key = "error.conflict"

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} conflict(s)")
        self.conflicts = conflicts
