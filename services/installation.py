"""Demo or real, chosen once: what a database holds, told from one installation-wide setting.

`make run` serves the demo county on an empty database; `make run DEMO=0` starts a real school
with the setup wizard. The two never mix: a real school's database is never seeded with demo rows,
and the demo is never started on a database that holds a real school. The settings row
`installation` (school_id null) records the choice:

- `{"kind": "demo", "schools": [ids]}` — written by `python -m seed` after seeding the demo; the
  ids are the demo's schools, so a school added later (e.g. with `create-admin`) is a real one;
- `{"kind": "real"}` — written by `make run DEMO=0` on an empty database and by the setup wizard.

A database with schools and no marker (set up with `create-admin`, or by a test) holds a real
school. Pure data rules, no Streamlit; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import School, Setting

MARKER_KEY = "installation"


class Kind(StrEnum):
    EMPTY = "empty"  # no school, no choice made yet: `make run` seeds the demo here
    SETUP = "setup"  # chosen real, no school yet: the setup wizard is waiting in the browser
    DEMO = "demo"  # only the demo's schools
    REAL = "real"  # at least one real school


@dataclass(frozen=True)
class Installation:
    kind: Kind
    school_names: tuple[str, ...] = ()  # the real schools' names (REAL), else every school's

    @property
    def is_demo(self) -> bool:
        return self.kind == Kind.DEMO


def read_marker(session: Session) -> dict[str, Any] | None:
    value = session.scalar(
        select(Setting.value).where(Setting.school_id.is_(None), Setting.key == MARKER_KEY)
    )
    return value if isinstance(value, dict) else None


def write_marker(session: Session, kind: Kind, school_ids: list[int] | None = None) -> None:
    """Record the choice (`demo` with the demo's school ids, or `real`); the caller commits."""
    value: dict[str, Any] = {"kind": kind.value}
    if kind == Kind.DEMO:
        value["schools"] = sorted(school_ids or [])
    row = session.scalar(
        select(Setting).where(Setting.school_id.is_(None), Setting.key == MARKER_KEY)
    )
    if row is None:
        session.add(Setting(school_id=None, key=MARKER_KEY, value=value))
    else:
        row.value = value
    session.flush()


def has_school(session: Session) -> bool:
    return session.scalar(select(School.id).limit(1)) is not None


def needs_setup(session: Session) -> bool:
    """True while the database holds no school: the browser shows the setup wizard."""
    return not has_school(session)


def installation(session: Session) -> Installation:
    """What the database holds (see the module doc)."""
    schools = session.execute(select(School.id, School.name).order_by(School.id)).all()
    marker = read_marker(session) or {}
    if not schools:
        return Installation(Kind.SETUP if marker.get("kind") == Kind.REAL else Kind.EMPTY)
    demo_ids = set(marker.get("schools") or []) if marker.get("kind") == Kind.DEMO else set()
    real = tuple(name for school_id, name in schools if school_id not in demo_ids)
    if real:
        return Installation(Kind.REAL, real)
    return Installation(Kind.DEMO, tuple(name for _, name in schools))
