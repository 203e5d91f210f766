"""Shared steps of the roster and staff import pages' tests."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.models import AuditEntry
from tests.pages.apptest import texts


def button_keys(at: AppTest) -> list[str]:
    return [b.key for b in at.button]


def audit_entries(session: Session) -> int:
    session.rollback()  # end the read snapshot taken before the page wrote
    return session.scalar(select(func.count(AuditEntry.id))) or 0


def assert_a_file_already_imported_changes_nothing(
    session: Session, upload_again: Callable[[], AppTest], said: str, run_key: str
) -> None:
    """The file uploaded once more after its import: the page says `said`, offers no import
    button (`run_key`) and writes no audit entry."""
    audits = audit_entries(session)
    at = upload_again()
    assert not at.exception
    assert said in texts(at)
    assert run_key not in button_keys(at)
    assert audit_entries(session) == audits
