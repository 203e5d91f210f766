"""Deterministic demo and scale data: schools, staff, children, pairings, contacts, care records.

Everything comes from `random.Random(config.seed)` and the anchor date `config.today` (default
2026-11-28), so the same config always gives the same rows. Only created_at/updated_at differ, and
between processes the shared password hash (bcrypt picks a new salt; within a process it is cached).

What a generated school looks like — tests hold the generator to these ranges:
- grades 1–6, classes of at most 45 children (3 classes per grade for the 600-child demo school);
  about 1.3 teachers per class: one head teacher per class plus subject teachers;
- left-behind children: 67–73 % of each school's children; of them 37–43 % both parents away,
  13–17 % mother away, the rest (40–50 %) father away; a few changed type (two history rows);
- key children 7–9 % of all children, 85 % of them left-behind;
- ~3 % of left-behind children have a missing or invalid guardian phone, every other phone is valid;
  ~5 % of children lack one or two archive fields; ~1 % transferred out and ~1 % joined mid-term;
- every teacher is paired with 2–3 children (two teachers per school with 4), key children first;
- head teachers of 2–3 classes (about 10 % of classes in big schools) and a few subject teachers log
  only 40–60 % of the contacts due, the others 85–95 %; ~3 % of left-behind children have had no
  contact for two months or more.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from db.base import utcnow
from db.engine import write_session
from db.enums import Role
from db.migrate import upgrade
from db.models import School
from seed import care, contacts, pairing, people
from seed.context import PhoneBook, SeedSummary, World, Writer, shares
from seed.school import add_bureau_user, add_school
from seed.schoolyear import months_before, terms_for_window
from services.accounts.passwords import hash_password

DEFAULT_ANCHOR = date(2026, 11, 28)
DEMO_PASSWORD = "demo1234"
DEMO_USERS = {
    "admin": Role.ADMIN,
    "principal": Role.PRINCIPAL,
    "head_teacher": Role.HEAD_TEACHER,
    "teacher": Role.TEACHER,
    "counsellor": Role.COUNSELLOR,
    "bureau": Role.BUREAU,
}

Progress = Callable[[str, float], None]


class SeedError(Exception):
    """The target database cannot be seeded (it already holds a school)."""


@dataclass(frozen=True)
class SeedConfig:
    """`children` is the total across all `schools`; contacts cover the last `months` months."""

    children: int = 600
    schools: int = 1
    months: int = 4
    seed: int = 42
    county: str = "青山县"
    today: date | None = None

    @property
    def anchor(self) -> date:
        return self.today or DEFAULT_ANCHOR


@functools.cache
def demo_password_hash() -> str:
    """One bcrypt hash of DEMO_PASSWORD for every generated user (hashing each is too slow)."""
    return hash_password(DEMO_PASSWORD)


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics after a bulk load: without them PostgreSQL picks nested loops over
    millions of rows until autovacuum gets round to it (SQLite's ANALYZE helps its planner too)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def seed_database(
    engine: Engine, config: SeedConfig | None = None, progress: Progress | None = None
) -> SeedSummary:
    """Migrate `engine`'s database and fill it in one transaction; refuses one with a school."""
    config = config or SeedConfig()
    started = time.perf_counter()
    upgrade(engine)
    rng = random.Random(config.seed)
    window_start = months_before(config.anchor, config.months)
    summary = SeedSummary()
    with write_session(engine) as session:
        if session.scalar(select(School.id).limit(1)) is not None:
            raise SeedError("the database already has a school; seed an empty database")
        world = World(
            rng=rng,
            writer=Writer(session, utcnow(), summary),
            anchor=config.anchor,
            window_start=window_start,
            plans=terms_for_window(config.anchor, window_start),
            phones=PhoneBook(rng),
            password_hash=demo_password_hash(),
            county=config.county,
            progress=progress,
        )
        add_bureau_user(world)
        sizes = school_sizes(rng, config.children, config.schools)
        for index, size in enumerate(sizes):
            seed_school(world, index, size, len(sizes))
    refresh_statistics(engine)
    summary.elapsed = time.perf_counter() - started
    if progress:
        progress("done", 1.0)
    return summary


def school_sizes(rng: random.Random, children: int, schools: int) -> list[int]:
    """Children per school: the first school gets an even share, the others vary ±40 %."""
    if schools <= 1:
        return [children]
    weights = [1.0] + [rng.uniform(0.6, 1.4) for _ in range(schools - 1)]
    return shares(children, weights)


def seed_school(world: World, index: int, n_children: int, n_schools: int) -> None:
    def report(step: str, done: float) -> None:
        if world.progress:
            world.progress(f"school {index + 1}/{n_schools}: {step}", (index + done) / n_schools)

    school = add_school(world, index, n_children)
    report("children", 0.05)
    kids = people.add_children(world, school)
    report("pairings", 0.3)
    paired = pairing.add_pairings(world, school, kids)
    report("contacts", 0.35)
    contacts.add_contacts(world, school, kids, paired)
    report("activities and records", 0.8)
    care.add_care(world, school, kids)
