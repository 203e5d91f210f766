"""Fixtures shared by the service tests (a test module's own fixture of the same name wins)."""

from __future__ import annotations

import pytest

from db.models import School
from tests.factories import make_school


@pytest.fixture
def school(session) -> School:  # type: ignore[no-untyped-def]
    """One plain school (测试小学, 青山县)."""
    return make_school(session)
