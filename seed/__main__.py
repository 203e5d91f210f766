"""`python -m seed`: migrate a database and fill it with deterministic demo or scale data."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.engine import database_url, make_engine, write_session
from db.migrate import upgrade
from db.models import School, User
from db.private_files import private_dir
from seed.generator import DEMO, DEMO_PASSWORD, Progress, SeedConfig, seed_database
from services.accounts.passwords import verify_password
from services.installation import Installation, Kind, installation, read_marker, write_marker
from services.metrics.summary import refresh_summary
from services.ops import backup

PROGRESS_FROM = 2_000  # children; smaller runs finish before a progress line would help


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = SeedConfig()
    parser = argparse.ArgumentParser(
        prog="python -m seed",
        description=(
            "Fill a database with generated demo data. Without --children and --schools: the demo "
            "county (the 600-child demo school and four small village schools). "
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
        help=f"children in total, spread over all schools (default {defaults.children})",
    )
    parser.add_argument("--schools", type=int, help="(default 1)")
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
    parser.add_argument(
        "--start",
        choices=["demo", "real"],
        help=(
            "what `make run` does first. demo: seed the demo into an empty database, else leave "
            "it; real (`make run DEMO=0`): no demo rows ever, the browser shows the setup wizard; "
            "an SQLite database holding only the demo is moved aside into demo-<time>/ beside it"
        ),
    )
    args = parser.parse_args(argv)
    args.demo = args.children is None and args.schools is None
    args.children = defaults.children if args.children is None else args.children
    args.schools = defaults.schools if args.schools is None else args.schools
    if args.children < 1 or args.schools < 1 or args.months < 1:
        parser.error("--children, --schools and --months must be at least 1")
    if args.schools > args.children:
        parser.error("--schools cannot exceed --children")
    return args


def progress_printer() -> Progress:
    """A progress callback printing `[ 42%]  12.3 s school 3/50: contacts` lines to stderr."""
    started = time.perf_counter()

    def show(stage: str, fraction: float) -> None:
        elapsed = time.perf_counter() - started
        print(f"[{fraction:4.0%}] {elapsed:6.1f} s {stage}", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    url = args.database_url or database_url()
    if args.start == "real":
        return start_real(url)
    engine = make_engine(url)
    try:
        state = settle(engine)
        if state.kind in (Kind.REAL, Kind.SETUP):
            # A real school's database never gets demo rows, whatever was asked.
            if args.start or args.if_empty:
                print(f"seed: {describe_real(state)}; the demo is not loaded")
                return 0
            print(f"seed: refused: {describe_real(state)}", file=sys.stderr)
            return 2
        if state.kind == Kind.DEMO and (args.start or args.if_empty):
            print("seed: the database already has the demo school; nothing to do")
            return 0
        config = SeedConfig(
            children=args.children,
            schools=args.schools,
            months=args.months,
            seed=args.seed,
            neighbours=DEMO.neighbours if args.demo else (),
        )
        started = time.perf_counter()
        progress = progress_printer() if args.children >= PROGRESS_FROM else None
        summary = seed_database(engine, config, progress)
        with write_session(engine) as session:  # generated data: the demo, never a real school
            write_marker(session, Kind.DEMO, list(session.scalars(select(School.id))))
            # The county summary and facts, so the first 总览 reads them instead of counting live.
            refresh_summary(session)
    finally:
        engine.dispose()
    print(f"seed: {summary.total():,} rows in {time.perf_counter() - started:.1f} s")
    for table, count in summary.items():
        print(f"  {table:<22} {count:>10,}")
    return 0


def settle(engine: Engine) -> Installation:
    """Migrate, and tell a demo seeded before the marker existed by its demo administrator:
    `admin` with the demo password (a real password cannot be it: the policy refuses it), whose
    schools are those created with it in the seed's one transaction."""
    upgrade(engine)
    with write_session(engine) as session:
        if read_marker(session) is None:
            demo_ids = unmarked_demo_schools(session)
            if demo_ids:
                write_marker(session, Kind.DEMO, demo_ids)
        return installation(session)


def unmarked_demo_schools(session: Session) -> list[int]:
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None or not verify_password(DEMO_PASSWORD, admin.password_hash):
        return []
    return list(session.scalars(select(School.id).where(School.created_at == admin.created_at)))


def describe_real(state: Installation) -> str:
    if state.kind == Kind.SETUP:
        return "this database is kept for a real school (the setup wizard has not been finished)"
    return f"this database holds a real school ({', '.join(state.school_names)})"


def start_real(url: str) -> int:
    """`make run DEMO=0`: mark an empty database for the setup wizard; put the demo aside."""
    engine = make_engine(url)
    try:
        state = settle(engine)
        if state.kind == Kind.DEMO:
            if engine.dialect.name != "sqlite" or not engine.url.database:
                print(
                    "seed: refused: this database holds the demo school; for a real school set "
                    "DATABASE_URL to a new, empty database",
                    file=sys.stderr,
                )
                return 2
            aside = put_demo_aside(engine)
            print(f"seed: the demo school was moved to {aside} (made-up data; delete it at will)")
            print(f"seed: 演示学校已移到 {aside}，现在从空白台账开始")
            engine = make_engine(url)
            state = settle(engine)
        if state.kind == Kind.EMPTY:
            with write_session(engine) as session:
                write_marker(session, Kind.REAL)
            state = Installation(Kind.SETUP)
        if state.kind == Kind.SETUP:
            print("seed: no school yet: open the app in a browser to run the setup wizard")
        else:
            print(f"seed: {describe_real(state)}")
        return 0
    finally:
        engine.dispose()


def put_demo_aside(engine: Engine) -> Path:
    """Move the demo's SQLite file (and the backups taken of it) into demo-<UTC time>/ beside it.

    Nothing is deleted; the backups go too, so the real school's newest backup is its own."""
    path = Path(engine.url.database or "").resolve()
    source = engine.url.render_as_string(hide_password=True)
    engine.dispose()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = private_dir(path.parent / f"demo-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(aside / part.name)
    for info in backup.list_backups():
        manifest = info.path.with_name(info.name + ".json")
        if json.loads(manifest.read_text(encoding="utf-8")).get("source") == source:
            target = private_dir(aside / "backups")
            info.path.rename(target / info.name)
            manifest.rename(target / manifest.name)
    return aside


if __name__ == "__main__":
    raise SystemExit(main())
