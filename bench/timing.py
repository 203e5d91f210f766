"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from db.engine import make_engine
from db.models import School

BENCH_DIR = Path(__file__).resolve().parent.parent / "data" / "bench"


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `fn` in seconds over `repeat` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def seeded_sqlite(children: int, months: int = 4, schools: int = 1) -> Engine:
    """A seeded SQLite file under data/bench/, built once and reused by later runs."""
    from seed.generator import SeedConfig, seed_database

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"school_{children}_{months}m_{schools}s.db"
    engine = make_engine(f"sqlite:///{path}")
    if path.exists():
        with engine.connect() as conn:
            if conn.execute(select(func.count(School.id))).scalar():
                return engine
    engine.dispose()
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    seed_database(engine, SeedConfig(children=children, months=months, schools=schools))
    return engine


RESULTS = Path(__file__).resolve().parent / "results.json"


def write_results(values: dict[str, Any]) -> None:
    """Merge `values` into bench/results.json (the other benchmarks' keys are kept)."""
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current.update(values)
    RESULTS.write_text(json.dumps(current, indent=2, ensure_ascii=False))
