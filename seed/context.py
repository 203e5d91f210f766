"""Shared state of one seeding run: the random source, the calendar, the bulk writer."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate
from typing import Any, TypeVar

from sqlalchemy import Date, DateTime, Table, insert
from sqlalchemy.orm import Session

from db.base import Editable
from seed.names import PHONE_PREFIXES, SURNAMES
from seed.schoolyear import TermDays, TermPlan

CHUNK = 5_000
T = TypeVar("T")


class SeedSummary(dict[str, int]):
    """Rows inserted per table name; `elapsed` is the run's wall time in seconds."""

    elapsed: float = 0.0

    def total(self) -> int:
        return sum(self.values())


class Weighted:
    """A weighted pool with precomputed cumulative weights (fast repeated draws)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cum)[0]


class Writer:
    """Bulk inserts through SQLAlchemy Core, filling the bookkeeping columns and counting rows.

    Rows whose ids are not needed go to the driver directly (write_direct):
    COPY on PostgreSQL (psycopg's executemany sends one statement per row, which dominates the run
    at county scale), one executemany on SQLite (SQLAlchemy's per-row parameter handling is a third
    of the demo's seeding time).
    """

    def __init__(self, session: Session, now: datetime, summary: SeedSummary) -> None:
        self.session = session
        self.now = now
        self.summary = summary
        dialect = session.get_bind().dialect.name
        self.copy = dialect == "postgresql"
        self.direct = dialect == "sqlite"

    def insert(self, model: type, rows: list[dict], returning: bool = False) -> list[int]:
        """Insert `rows` in chunks; with `returning`, the new ids in the order of `rows`.
        Every row of a call has the same keys."""
        table = model.__table__  # type: ignore[attr-defined]
        base: dict[str, Any] = {"created_at": self.now, "updated_at": self.now}
        if issubclass(model, Editable):
            base["version"] = 1
        ids: list[int] = []
        stmt = insert(table)
        if returning:
            stmt = stmt.returning(table.c.id, sort_by_parameter_order=True)
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            if not returning and (self.copy or self.direct):
                self.write_direct(table, base, part)
                continue
            chunk = [base | row for row in part]
            for row in chunk:
                row.setdefault("updated_by", row.get("created_by"))
            result = self.session.execute(stmt, chunk)
            if returning:
                ids.extend(result.scalars().all())
        self.summary[table.name] = self.summary.get(table.name, 0) + len(rows)
        return ids

    def converters(self, table: Table, columns: list[str]) -> list[tuple[str, Any]]:
        """(column, the type's bind processor or None) for the session's dialect. Dates repeat
        (term days, the run's timestamp), so their conversions are cached."""
        dialect = self.session.connection().dialect
        result = []
        for column in columns:
            column_type = table.c[column].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None and isinstance(column_type, Date | DateTime):
                process = functools.cache(process)
            result.append((column, process))
        return result

    def write_direct(self, table: Table, base: dict[str, Any], rows: list[dict]) -> None:
        """`rows` (plus `base` and updated_by = created_by) straight to the driver, in the
        session's transaction, values converted by the column types."""
        columns = list(rows[0])
        fixed = {c: v for c, v in base.items() if c not in rows[0]}
        fixed_values = [
            f(v) if f else v
            for (_, f), v in zip(self.converters(table, list(fixed)), fixed.values(), strict=True)
        ]
        with_updater = "updated_by" not in rows[0]
        names = columns + list(fixed) + (["updated_by"] if with_updater else [])
        convert = self.converters(table, columns)

        def values(row: dict) -> list[Any]:
            out = [f(row[c]) if f else row[c] for c, f in convert]
            return out + fixed_values + ([row.get("created_by")] if with_updater else [])

        driver = self.session.connection().connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            if self.copy:
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(values(row))
            else:
                marks = ", ".join("?" for _ in names)
                sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
                cursor.executemany(sql, map(values, rows))
        finally:
            cursor.close()


class PhoneBook:
    """Hands out valid mobile numbers, never the same one twice in a run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used:
                self.used.add(number)
                return number


@dataclass
class Term:
    """A term of one school: its plan, database id and teaching days."""

    plan: TermPlan
    id: int
    days: TermDays


@dataclass
class Room:
    """A classroom as the generator sees it; `rate` is the share of due contacts its head teacher
    actually logs."""

    id: int
    grade: int
    number: int
    name: str
    head_teacher_id: int
    rate: float
    size: int = 0


@dataclass
class Staff:
    """A teacher who can be paired with children."""

    id: int
    username: str
    room_ids: list[int]
    rate: float
    is_head: bool


@dataclass
class SchoolData:
    index: int
    id: int
    town: str
    villages: list[str]
    admin_id: int
    principal_id: int
    counsellor_id: int
    terms: list[Term]
    rooms: list[Room]
    teachers: list[Staff]


@dataclass
class World:
    """Everything a generator step needs besides the school it is working on."""

    rng: random.Random
    writer: Writer
    anchor: date
    window_start: date
    plans: list[TermPlan]
    phones: PhoneBook
    password_hash: str
    county: str
    progress: Callable[[str, float], None] | None = None
    user_seq: int = 0
    school_names: set[str] = field(default_factory=set)
    namer: Namer = field(init=False)

    def __post_init__(self) -> None:
        self.namer = Namer(self.rng)

    def next_username(self) -> str:
        self.user_seq += 1
        return f"t{self.user_seq:04d}"


class Namer:
    """Chinese full names: a surname drawn by its weight, then a given name from a pool."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = Weighted(SURNAMES)

    def surname(self) -> str:
        return self.surnames.draw(self.rng)

    def full(self, pool: list[str], surname: str | None = None) -> str:
        return (surname or self.surname()) + self.rng.choice(pool)


def shares(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def sample(rng: random.Random, items: Sequence[T], k: int) -> list[T]:
    """Up to `k` distinct items."""
    return rng.sample(list(items), min(k, len(items)))
