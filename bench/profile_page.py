"""Profile CareLedger's page runs on a real, running server (pyinstrument).

    python -m bench.profile_page                       # demo school (SQLite), 1 user, 20 s
    python -m bench.profile_page --user principal --seconds 30 --sessions 3

Starts `streamlit run app.py` with every script run wrapped in a pyinstrument Profiler (the
script thread of each run), drives it with the load client (bench/load.py), then prints where
the time of all page runs went, merged, and saves the merged profile as HTML beside the log.
Only for measuring: the server it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION_DIR_ENV = "CARELEDGER_PROFILE_DIR"
CPU_ENV = "CARELEDGER_PROFILE_CPU"


def _serve_profiled(argv: list[str]) -> None:
    """In the server process: wrap ScriptRunner._run_script, then run Streamlit's CLI."""
    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    folder = Path(os.environ[SESSION_DIR_ENV])
    original = script_runner.ScriptRunner._run_script
    count = iter(range(10**9))

    def profiled(self, rerun_data):  # type: ignore[no-untyped-def]
        n = next(count)
        if os.environ.get(CPU_ENV):  # this thread's CPU only: no other session's wait
            cpu = cProfile.Profile(time.thread_time)
            cpu.enable()
            try:
                return original(self, rerun_data)
            finally:
                cpu.disable()
                cpu.dump_stats(str(folder / f"run-{n:05d}.pstats"))
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        try:
            return original(self, rerun_data)
        finally:
            profiler.stop().save(str(folder / f"run-{n:05d}.pyisession"))

    script_runner.ScriptRunner._run_script = profiled
    cli.main(args=["run", *argv], standalone_mode=True)


def report(folder: Path, skip: int) -> str:
    """The merged profile of the saved runs (the first `skip` are sign-in and warm-up)."""
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
    from pyinstrument.session import Session

    if not list(folder.glob("run-*.pyisession")):
        return "CPU time of the script thread (cProfile, thread_time):\n" + cpu(folder, skip)
    sessions = []
    for path in sorted(folder.glob("run-*.pyisession"))[skip:]:
        try:
            sessions.append(Session.load(str(path)))
        except ValueError:  # the run the server's stop cut short
            continue
    merged = sessions[0]
    for session in sessions[1:]:
        merged = Session.combine(merged, session)
    (folder / "profile.html").write_text(HTMLRenderer().render(merged))
    tree = ConsoleRenderer(unicode=True, color=False, short_mode=False)
    flat = ConsoleRenderer(unicode=True, color=False, short_mode=True, flat=True)
    head = f"{len(sessions)} runs, {merged.duration:.2f} s in all\n"
    return head + tree.render(merged) + "\nself time by function:\n" + flat.render(merged)


def cpu(folder: Path, skip: int, lines: int = 45) -> str:
    """The runs' CPU time by function, cumulative, merged (cProfile with thread_time)."""
    paths = [str(p) for p in sorted(folder.glob("run-*.pstats"))[skip:]]
    out = io.StringIO()
    stats = pstats.Stats(*paths, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        _serve_profiled(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.profile_page", description=__doc__)
    parser.add_argument("--users", default="principal", help="comma-separated demo accounts")
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cpu", action="store_true", help="cProfile of CPU time instead")
    parser.add_argument("--out", default=None, help="folder for the runs and profile.html")
    args = parser.parse_args()

    from bench.bench_load import _fresh_copy_of_demo_school
    from bench.load import run_load
    from tests.e2e.conftest import free_port, stop_process

    folder = Path(args.out or tempfile.mkdtemp(prefix="careledger-profile-"))
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, SESSION_DIR_ENV: str(folder), CPU_ENV: "1" if args.cpu else ""}
    env["DATABASE_URL"] = _fresh_copy_of_demo_school(folder)
    env.setdefault("CARELEDGER_COOKIE_KEY", "profile-" + os.urandom(32).hex())
    cmd = [sys.executable, "-m", "bench.profile_page", "serve", "app.py"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    cmd += ["--browser.gatherUsageStats", "false"]
    with (folder / "server.log").open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        from bench.bench_load import Server, _wait_healthy

        _wait_healthy(Server(proc, f"http://127.0.0.1:{port}", folder / "server.log"))
        users = tuple(args.users.split(","))
        run_load(f"http://127.0.0.1:{port}", 1, 3, users=users)  # warm-up
        warm = len(list(folder.glob("run-*.py*")))
        result = run_load(f"http://127.0.0.1:{port}", args.sessions, args.seconds, users=users)
        print(result.summary())
    finally:
        stop_process(proc)
    print(report(folder, skip=warm + 3 * args.sessions))


if __name__ == "__main__":
    main()
