"""Load: CareLedger against the floor (a plain Streamlit app), and 50 sessions on one replica.

Real `streamlit run` servers on loopback, driven by the project's load client (bench/load.py):
each session signs in with a demo account and opens its menu's pages in turn.

1. The floor (bench/floor_app.py: login form, six pages with a metric, a 100-row table and a
   Plotly bar) and CareLedger (a copy of the demo school, 600 children, SQLite) run side by side;
   10 sessions load one, then the other, in turns (floor, app, app, floor: the machine's load
   drifts), and the ratios of the two are reported: `page_rate_ratio_floor_to_app` (floor
   pages/s ÷ CareLedger pages/s; target ≤ 1.3) and `signin_p50_ratio_app_to_floor` (≤ 1.5).
2. 50 sessions for 60 s on one replica, on SQLite and, when TEST_DATABASE_URL names a server, on
   a fresh PostgreSQL database: `load50_errors` (target 0) and the rows of the results table.

Quick mode (BENCH_QUICK=1 or `python -m bench --quick load`): one turn each, shorter runs.
Writes its keys into bench/results.json (other benchmarks' keys are kept).
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import LoadResult, rss_mb, run_load
from bench.timing import BENCH_DIR, seeded_sqlite, write_results
from seed.generator import SeedConfig, seed_database
from tests.conftest import TEST_DATABASE_URL, scratch_pg_engine
from tests.e2e.conftest import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
DEMO_CHILDREN = 600
FLOOR_APP = "bench/floor_app.py"
APP = "app.py"
LOGS = BENCH_DIR / "load-logs"  # the servers' logs of the last run (git-ignored data/)


@dataclass(frozen=True)
class Plan:
    """How long and how often: the full run, or the quick one for iterating."""

    seconds: float  # one 10-session turn
    turns: int  # floor/app pairs
    many_seconds: float  # the 50-session run
    sessions: int = 10
    many: int = 50


FULL = Plan(seconds=20, turns=2, many_seconds=60)
QUICK = Plan(seconds=8, turns=1, many_seconds=20)


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path

    def load(self, sessions: int, seconds: float) -> LoadResult:
        result = run_load(self.url, sessions, seconds, self.proc.pid)
        for error in result.errors[:3] + server_errors(self.log):
            print("   load error:", error, file=sys.stderr)
        return result


@dataclass
class Turns:
    """The 10-session results of one server over all its turns."""

    pages: int = 0
    seconds: float = 0.0
    errors: int = 0
    sign_ins: list[float] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    def add(self, result: LoadResult) -> None:
        self.pages += result.pages_served
        self.seconds += result.seconds
        self.errors += len(result.errors)
        self.sign_ins += result.sign_in_times
        self.summaries.append(result.summary())

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def sign_in_p50(self) -> float:
        return statistics.median(self.sign_ins) if self.sign_ins else float("nan")


def _fresh_copy_of_demo_school(folder: Path) -> str:
    """The load signs users in (writes), so it runs on a copy of the cached demo database."""
    source = seeded_sqlite(DEMO_CHILDREN)
    target = folder / "load.db"
    src = sqlite3.connect(str(source.url.database))
    dst = sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()
    source.dispose()
    return f"sqlite:///{target}"


@contextmanager
def serve(script: str, database_url: str, log: Path) -> Iterator[Server]:
    """`streamlit run <script>` on a free loopback port, healthy, stopped on the way out."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    env.setdefault("CARELEDGER_COOKIE_KEY", "bench-" + os.urandom(32).hex())
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    cmd += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        server = Server(proc, f"http://127.0.0.1:{port}", log)
        _wait_healthy(server)
        server.load(1, 3)  # warm-up: imports, caches, first connections
        yield server
    finally:
        stop_process(proc)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not become healthy in 90 s")


def server_errors(log: Path) -> list[str]:
    """The distinct exception lines of the server log (what the redacted page errors were)."""
    lines = log.read_text(errors="replace").splitlines()
    found = {line.strip() for line in lines if re.match(r"^\w[\w.]*(Error|Exception): ", line)}
    return sorted(found)[:5]


def _rows(result: LoadResult, scale: str) -> list[tuple[str, str, str]]:
    per_session = (result.rss_peak_mb - result.rss_start_mb) / max(result.sessions, 1)
    return [
        (f"load: {result.sessions} sessions, {result.seconds:.0f} s", scale, result.summary()),
        (
            f"server memory, {result.sessions} sessions",
            scale,
            f"{result.rss_start_mb:.0f} MB before → {result.rss_peak_mb:.0f} MB peak "
            f"(≈ {per_session:.1f} MB per session)",
        ),
    ]


def floor_against_app(plan: Plan, app: Server, floor: Server) -> tuple[Turns, Turns]:
    """10 sessions on each in turns: floor, app, then app, floor, … (drift hits both)."""
    floor_turns, app_turns = Turns(), Turns()
    for turn in range(plan.turns):
        order = [(floor, floor_turns), (app, app_turns)]
        for server, turns in order if turn % 2 == 0 else order[::-1]:
            turns.add(server.load(plan.sessions, plan.seconds))
    return floor_turns, app_turns


def _comparison_rows(floor: Turns, app: Turns, scale: str) -> list[tuple[str, str, str]]:
    rows = [("load, floor (plain Streamlit)", "10 sessions", s) for s in floor.summaries]
    rows += [("load, CareLedger", f"10 sessions, {scale}", s) for s in app.summaries]
    return [
        *rows,
        (
            "pages/s, floor ÷ CareLedger (target ≤ 1.3)",
            f"10 sessions, {len(app.summaries)} turns each",
            f"{floor.rate:.1f} ÷ {app.rate:.1f} = {floor.rate / app.rate:.2f}×",
        ),
        (
            "sign-in p50, CareLedger ÷ floor (target ≤ 1.5)",
            "10 sessions",
            f"{app.sign_in_p50:.2f} s ÷ {floor.sign_in_p50:.2f} s = "
            f"{app.sign_in_p50 / floor.sign_in_p50:.2f}×",
        ),
    ]


def _many(plan: Plan, app: Server, scale: str) -> tuple[list[tuple[str, str, str]], int]:
    result = app.load(plan.many, plan.many_seconds)
    return _rows(result, scale), len(result.errors)


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    plan = QUICK if quick else FULL
    rows: list[tuple[str, str, str]] = []
    values: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        LOGS.mkdir(parents=True, exist_ok=True)
        scale = "demo school, SQLite"
        with serve(APP, _fresh_copy_of_demo_school(folder), LOGS / "app.log") as app:
            rows.append(("server memory after start-up", scale, f"{rss_mb(app.proc.pid):.0f} MB"))
            with serve(FLOOR_APP, "sqlite://", LOGS / "floor.log") as floor:
                floor_turns, app_turns = floor_against_app(plan, app, floor)
            rows += _comparison_rows(floor_turns, app_turns, scale)
            many_rows, errors_sqlite = _many(plan, app, scale)
            rows += many_rows
        values["page_rate_ratio_floor_to_app"] = round(floor_turns.rate / app_turns.rate, 3)
        values["signin_p50_ratio_app_to_floor"] = round(
            app_turns.sign_in_p50 / floor_turns.sign_in_p50, 3
        )
        values["load10_errors"] = app_turns.errors
        load50 = {"sqlite": errors_sqlite}
        if TEST_DATABASE_URL:
            scale = "demo school, PostgreSQL"
            with scratch_pg_engine("careledger_load") as engine:
                seed_database(engine, SeedConfig(children=DEMO_CHILDREN))
                url = engine.url.render_as_string(hide_password=False)
                with serve(APP, url, LOGS / "app-pg.log") as app:
                    many_rows, load50["postgresql"] = _many(plan, app, scale)
                    rows += many_rows
    values["load50_errors"] = sum(load50.values())
    values["load50_errors_by_database"] = load50
    values["load_conditions"] = (
        f"{time.strftime('%Y-%m-%d')}, {'quick' if quick else 'full'}: 10 sessions × "
        f"{plan.seconds:.0f} s × {plan.turns} turns each; {plan.many} sessions × "
        f"{plan.many_seconds:.0f} s; load average {os.getloadavg()[0]:.1f}"
    )
    write_results(values)
    return rows
