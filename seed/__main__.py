"""`python -m seed`: migrate a database and fill it with deterministic demo or scale data."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import Engine, select

from db.engine import database_url, make_engine
from db.migrate import upgrade
from db.models import School
from seed.generator import Progress, SeedConfig, seed_database

PROGRESS_FROM = 2_000  # children; smaller runs finish before a progress line would help


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = SeedConfig()
    parser = argparse.ArgumentParser(
        prog="python -m seed",
        description=(
            "Fill a database with generated demo data (the demo school by default). "
            "School scale: --children 5000 --months 12. "
            "County scale: --schools 50 --children 50000 --months 12."
        ),
    )
    parser.add_argument(
        "--database-url",
        help="target database (default: $DATABASE_URL, else the pilot's SQLite file)",
    )
    parser.add_argument(
        "--children",
        type=int,
        default=defaults.children,
        help="children in total, spread over all schools (default %(default)s)",
    )
    parser.add_argument("--schools", type=int, default=defaults.schools, help="(default 1)")
    parser.add_argument(
        "--months",
        type=int,
        default=defaults.months,
        help="months of contacts up to the anchor date 2026-11-28 (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="(default 42)")
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the database already has a school",
    )
    args = parser.parse_args(argv)
    if args.children < 1 or args.schools < 1 or args.months < 1:
        parser.error("--children, --schools and --months must be at least 1")
    if args.schools > args.children:
        parser.error("--schools cannot exceed --children")
    return args


def has_school(engine: Engine) -> bool:
    upgrade(engine)
    with engine.connect() as conn:
        return conn.execute(select(School.id).limit(1)).first() is not None


def progress_printer() -> Progress:
    """A progress callback printing `[ 42%]  12.3 s school 3/50: contacts` lines to stderr."""
    started = time.perf_counter()

    def show(stage: str, fraction: float) -> None:
        elapsed = time.perf_counter() - started
        print(f"[{fraction:4.0%}] {elapsed:6.1f} s {stage}", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    engine = make_engine(args.database_url or database_url())
    try:
        if args.if_empty and has_school(engine):
            print("seed: the database already has a school; nothing to do")
            return 0
        config = SeedConfig(
            children=args.children, schools=args.schools, months=args.months, seed=args.seed
        )
        started = time.perf_counter()
        progress = progress_printer() if args.children >= PROGRESS_FROM else None
        summary = seed_database(engine, config, progress)
    finally:
        engine.dispose()
    print(f"seed: {summary.total():,} rows in {time.perf_counter() - started:.1f} s")
    for table, count in summary.items():
        print(f"  {table:<22} {count:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
