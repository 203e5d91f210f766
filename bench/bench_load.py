"""Load: 10 and 50 concurrent sessions against a real `streamlit run app.py` on loopback.

The server runs on a copy of the demo school (600 children) on SQLite, and on a fresh PostgreSQL
database too when TEST_DATABASE_URL names a server (as in CI). Each session signs in with a demo
account and opens its menu's pages in turn (see bench/load.py). Reported: pages served, errors,
page time, and the server's resident memory before and at the peak.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from bench.load import LoadResult, rss_mb, run_load
from bench.timing import seeded_sqlite
from db.engine import make_engine, normalise_url
from seed.generator import SeedConfig, seed_database

ROOT = Path(__file__).resolve().parent.parent
DEMO_CHILDREN = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _start_server(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    env.setdefault("CARELEDGER_COOKIE_KEY", "bench-" + os.urandom(32).hex())
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    cmd += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("server did not become healthy in 90 s")


def _rows(result: LoadResult, scale: str) -> list[tuple[str, str, str]]:
    per_session = (result.rss_peak_mb - result.rss_start_mb) / max(result.sessions, 1)
    return [
        (f"load: {result.sessions} concurrent sessions", scale, result.summary()),
        (
            f"server memory, {result.sessions} sessions",
            scale,
            f"{result.rss_start_mb:.0f} MB before → {result.rss_peak_mb:.0f} MB peak "
            f"(≈ {per_session:.1f} MB per session)",
        ),
    ]


def _server_errors(log: Path) -> list[str]:
    """The distinct exception lines of the server log (what the redacted page errors were)."""
    lines = log.read_text(errors="replace").splitlines()
    found = {line.strip() for line in lines if re.match(r"^\w[\w.]*(Error|Exception): ", line)}
    return sorted(found)[:5]


def _fresh_postgres_demo(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database with the demo school, and how to drop it."""
    admin = make_engine(normalise_url(admin_url))
    name = f"careledger_load_{os.urandom(4).hex()}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    seed_database(engine, SeedConfig(children=DEMO_CHILDREN))
    engine.dispose()

    def drop() -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _measure(
    database_url: str, scale: str, levels: tuple[int, ...], seconds: float, folder: Path
) -> list[tuple[str, str, str]]:
    log = folder / f"server-{scale.split(',')[-1].strip()}.log"
    proc, url = _start_server(database_url, log)
    rows: list[tuple[str, str, str]] = []
    try:
        run_load(url, 1, 3, proc.pid)  # warm-up: imports, caches, first connections
        rows.append(("server memory after start-up", scale, f"{rss_mb(proc.pid):.0f} MB"))
        for sessions in levels:
            result = run_load(url, sessions, seconds, proc.pid)
            for error in result.errors[:3] + _server_errors(log):
                print("   load error:", error, file=sys.stderr)
            rows += _rows(result, scale)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    """Demo school on SQLite; on PostgreSQL too when TEST_DATABASE_URL names a server."""
    seconds = 5.0 if quick else 20.0
    levels = (5, 10) if quick else (10, 50)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite_url = _fresh_copy_of_demo_school(folder)
        rows += _measure(sqlite_url, "demo school, SQLite", levels, seconds, folder)
        pg_server = os.environ.get("TEST_DATABASE_URL", "").strip()
        if pg_server:
            pg_url, drop = _fresh_postgres_demo(pg_server)
            try:
                rows += _measure(pg_url, "demo school, PostgreSQL", levels, seconds, folder)
            finally:
                drop()
    return rows
