"""Deterministic demo and scale data: schools, staff, children, pairings, contacts, care records.

Everything comes from `random.Random(config.seed)` and the anchor date `config.today` (default
2026-11-28), so the same config always gives the same rows. Only created_at/updated_at differ, and
between processes the shared password hash (bcrypt picks a new salt; within a process it is cached).

The demo (`DEMO`, what `python -m seed` and `seed_database(engine)` give) is a county: the demo
school of 600 children, whose staff hold the demo logins, and four small village schools, each
with its own compliance level, so the bureau's ranking and heat map mean something.

What a generated school looks like — tests hold the generator to these ranges:
- grades 1–6, classes of at most 45 children (3 classes per grade for the 600-child demo school);
  about 1.7 teachers per class: one head teacher per class plus subject teachers;
- left-behind children: 67–73 % of each school's children; of them 37–43 % both parents away,
  13–17 % mother away, the rest (40–50 %) father away; a few changed type (two history rows);
- key children 7–9 % of all children, 85 % of them left-behind;
- every row passes the app's own checks (the grid's column specs, the roster import's parsers):
  every phone is valid; ~1.5 % of left-behind children have no guardian phone yet, ~5 % of
  children lack one or two optional archive fields; ~1 % transferred out and ~1 % joined mid-term;
- pairing as schools do it: each class names 4–5 children (key children first), its teachers take
  2–3 each (one teacher of the demo school has 4, to show the load warning); key children whose
  class has no teacher free go to any teacher, so every key child is paired;
- most head teachers log 85–95 % of the contacts due (the school's level), 2–3 classes (about 10 %
  of classes in big schools) and a few subject teachers only 40–60 %; ~1.5 % of left-behind
  children have had no contact for two months or more; the risk list holds 5–10 % of children;
- contact summaries and counselling notes are composed per child and never repeat in a school.
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
from seed import care, contacts, growth, pairing, people
from seed.context import PhoneBook, SeedSummary, World, Writer, shares
from seed.school import DEFAULT_RATES, add_bureau_user, add_school
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
class Neighbour:
    """A small school of the county besides the main one: its children and its compliance level
    (the range of the share of due contacts its head teachers log)."""

    children: int
    contact_rates: tuple[float, float]


@dataclass(frozen=True)
class SeedConfig:
    """`children` is the total across all `schools`; contacts cover the last `months` months.
    `neighbours` are added after them (the demo county's village schools)."""

    children: int = 600
    schools: int = 1
    months: int = 4
    seed: int = 42
    county: str = "青山县"
    today: date | None = None
    neighbours: tuple[Neighbour, ...] = ()

    @property
    def anchor(self) -> date:
        return self.today or DEFAULT_ANCHOR


# The demo county: the demo school (600 children) and four village schools that do better or
# worse at keeping in touch, so the bureau's ranking, heat map and report have something to show.
DEMO = SeedConfig(
    neighbours=(
        Neighbour(120, (0.93, 0.99)),
        Neighbour(80, (0.70, 0.80)),
        Neighbour(50, (0.52, 0.64)),
        Neighbour(30, (0.80, 0.90)),
    )
)


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
    """Migrate `engine`'s database and fill it in one transaction; refuses one with a school.
    Without a config: the demo county (DEMO)."""
    config = config or DEMO
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
        plans = [(size, DEFAULT_RATES) for size in sizes]
        plans += [(n.children, n.contact_rates) for n in config.neighbours]
        for index, (size, rates) in enumerate(plans):
            seed_school(world, index, size, len(plans), rates)
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


def seed_school(
    world: World, index: int, n_children: int, n_schools: int, rates: tuple[float, float]
) -> None:
    def report(step: str, done: float) -> None:
        if world.progress:
            world.progress(f"school {index + 1}/{n_schools}: {step}", (index + done) / n_schools)

    school = add_school(world, index, n_children, rates)
    report("children", 0.05)
    kids = people.add_children(world, school)
    report("pairings", 0.3)
    paired = pairing.add_pairings(world, school, kids)
    report("contacts", 0.35)
    contacts.add_contacts(world, school, kids, paired)
    report("activities and records", 0.8)
    care.add_care(world, school, kids)
    growth.add_growth(world, school, kids, paired)
