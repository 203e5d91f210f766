"""Load: 10 and 50 concurrent sessions against a real `streamlit run app.py` on loopback.

The server runs on a copy of the demo school (600 children, SQLite; `BENCH_LOAD_DATABASE_URL`
points it at another database, e.g. a seeded PostgreSQL). Each session signs in with a demo
account and opens its menu's pages in turn (see bench/load.py). Reported: pages served, errors,
page time, and the server's resident memory before and at the peak.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.load import LoadResult, rss_mb, run_load
from bench.timing import seeded_sqlite

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


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    seconds = 5.0 if quick else 20.0
    levels = (5, 10) if quick else (10, 50)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database_url = os.environ.get("BENCH_LOAD_DATABASE_URL") or _fresh_copy_of_demo_school(
            folder
        )
        scale = "demo school, SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
        proc, url = _start_server(database_url, folder / "server.log")
        rows: list[tuple[str, str, str]] = []
        try:
            run_load(url, 1, 3, proc.pid)  # warm-up: imports, caches, first connections
            rows.append(("server memory after start-up", scale, f"{rss_mb(proc.pid):.0f} MB"))
            for sessions in levels:
                result = run_load(url, sessions, seconds, proc.pid)
                for error in result.errors[:5]:
                    print("   load error:", error, file=sys.stderr)
                rows += _rows(result, scale)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        return rows
