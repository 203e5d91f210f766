"""Load test: N browser-less sessions against a running CareLedger server, for a bounded time.

Each session speaks Streamlit's own WebSocket protocol (/_stcore/stream, protobuf BackMsg and
ForwardMsg), exactly what a browser tab sends: it opens the app, signs in through the login form
with a demo account, then opens the pages of its menu one after another until time is up. A page
counts as served when its script run finishes; an error is an exception shown on the page, an
error message, a failed sign-in, a timeout or a dropped connection. The server's memory is read
from /proc/<pid>/status (VmRSS), including its child processes.

    python -m bench.load --url http://127.0.0.1:8501 --sessions 10 --seconds 20 --pid 12345

Loopback only: it refuses any other host.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

DEMO_USERS = ("admin", "principal", "head_teacher", "teacher", "counsellor", "bureau")
DEMO_PASSWORD = "demo1234"
PAGE_TIMEOUT_S = 60.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_FINISHED_OK = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


@dataclass
class Run:
    """What one script run sent back."""

    elements: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, label, id)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (url path, script hash)
    errors: list[str] = field(default_factory=list)
    finished: int | None = None
    fragments: dict[str, str] = field(default_factory=dict)  # element id → its fragment's id


@dataclass
class _Session:
    username: str
    ws: ClientConnection
    pages: list[tuple[str, str]]


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    pages_served: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_end_mb: float = 0.0
    sign_in_times: list[float] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.pages_served / self.seconds if self.seconds else 0.0

    def percentile(self, q: float, values: list[float] | None = None) -> float:
        values = self.latencies if values is None else values
        if len(values) < 2:
            return values[0] if values else 0.0
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> str:
        return (
            f"{self.pages_served} pages in {self.seconds:.0f} s ({self.pages_per_second:.1f}/s), "
            f"{len(self.errors)} errors; page p50 {self.percentile(50):.2f} s, "
            f"p95 {self.percentile(95):.2f} s; sign-in p50 "
            f"{self.percentile(50, self.sign_in_times):.2f} s"
        )


def _rerun(widgets: list[dict] | None = None, page_hash: str = "", fragment_id: str = "") -> bytes:
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = ""
    state.page_script_hash = page_hash
    state.fragment_id = fragment_id  # set: only that fragment reruns, as a browser asks
    for widget in widgets or []:
        entry = state.widget_states.widgets.add()
        for name, value in widget.items():
            setattr(entry, name, value)
    return msg.SerializeToString()


async def _until_finished(ws: ClientConnection) -> Run:
    """Collect the ForwardMsgs of one script run, up to script_finished."""
    run = Run()
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            element_kind = element.WhichOneof("type") or ""
            inner = getattr(element, element_kind, None)
            label = str(getattr(inner, "label", "") or "")
            element_id = str(getattr(inner, "id", "") or "")
            run.elements.append((element_kind, label, element_id))
            if msg.delta.fragment_id:
                run.fragments[element_id] = msg.delta.fragment_id
            if element_kind == "exception":
                run.errors.append(f"exception: {element.exception.type or 'see the server log'}")
            elif element_kind == "alert" and element.alert.format == Alert.Format.ERROR:
                run.errors.append(f"error message: {element.alert.body[:80]}")
        elif kind == "navigation":
            run.pages = [
                (p.url_pathname, p.page_script_hash)
                for p in msg.navigation.app_pages
                if p.url_pathname
            ]
        elif kind == "script_finished":
            run.finished = msg.script_finished
            return run


async def _request(ws: ClientConnection, payload: bytes) -> Run:
    """Send one rerun and wait for its result; a page that calls st.rerun() itself counts as
    served when the run it started finishes (the menu is kept from the earlier run)."""
    await ws.send(payload)
    run = await asyncio.wait_for(_until_finished(ws), PAGE_TIMEOUT_S)
    for _ in range(3):
        if run.finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
            break
        pages = run.pages
        run = await asyncio.wait_for(_until_finished(ws), PAGE_TIMEOUT_S)
        run.pages = run.pages or pages
    return run


def _widget_id(run: Run, kind: str, label: str) -> str:
    for element_kind, element_label, element_id in run.elements:
        if element_kind == kind and element_label == label:
            return element_id
    raise LookupError(f"no {kind} labelled {label!r} on the page")


async def _sign_in(ws: ClientConnection, username: str, password: str) -> list[tuple[str, str]]:
    """Open the app, fill 用户名 / 密码, press 登录; returns the menu (url path, script hash)."""
    form = await _request(ws, _rerun())
    submit = [
        {"id": _widget_id(form, "text_input", "用户名"), "string_value": username},
        {"id": _widget_id(form, "text_input", "密码"), "string_value": password},
        {"id": _widget_id(form, "button", "登录"), "trigger_value": True},
    ]
    # The sign-in run ends early with st.rerun(); the run it starts shows the first page.
    run = await _request(ws, _rerun(submit))
    if _shows_login_form(run) or not run.pages:
        raise RuntimeError(f"sign-in of {username} refused: {run.errors or 'no message'}")
    return run.pages


def _shows_login_form(run: Run) -> bool:
    return any(kind == "text_input" and label == "密码" for kind, label, _ in run.elements)


async def _open_session(ws_url: str, username: str, result: LoadResult) -> _Session | None:
    """One simulated user opens the app and signs in (timed separately from browsing)."""
    started = time.monotonic()
    try:
        ws = await connect(
            ws_url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            open_timeout=PAGE_TIMEOUT_S,  # a busy server accepts late; that is latency, not loss
            # No protocol pings: a browser sends none, so a server too busy to answer one within
            # 20 s drops no browser; a page slower than PAGE_TIMEOUT_S still counts as an error.
            ping_interval=None,
        )
    except Exception as exc:
        result.errors.append(f"{username}: cannot connect: {exc}"[:200])
        return None
    try:
        pages = await _sign_in(ws, username, DEMO_PASSWORD)
    except Exception as exc:
        result.errors.append(f"{username}: sign-in: {type(exc).__name__}: {exc}"[:200])
        await ws.close()
        return None
    result.sign_in_times.append(time.monotonic() - started)
    return _Session(username, ws, pages)


async def _browse(session: _Session, deadline: float, offset: int, result: LoadResult) -> None:
    """Open the menu's pages in turn until the deadline, as a user clicking through would."""
    turn = offset
    try:
        while time.monotonic() < deadline:
            path, page_hash = session.pages[turn % len(session.pages)]
            turn += 1
            started = time.monotonic()
            run = await _request(session.ws, _rerun(page_hash=page_hash))
            result.latencies.append(time.monotonic() - started)
            if run.finished in _FINISHED_OK and not run.errors and not _shows_login_form(run):
                result.pages_served += 1
            else:
                problems = run.errors or [
                    "signed out" if _shows_login_form(run) else f"finished with {run.finished}"
                ]
                result.errors += [f"{session.username} /{path}: {e}" for e in problems]
    except Exception as exc:  # a dropped or stuck session is an error of the run
        result.errors.append(f"{session.username}: {type(exc).__name__}: {exc}"[:200])
    finally:
        await session.ws.close()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total_kb = 0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            for child in children.read_text().split():
                found += [int(child), *_children(int(child))]
    return found


async def _sample_memory(pid: int | None, result: LoadResult, stop: asyncio.Event) -> None:
    while pid is not None and not stop.is_set():
        result.rss_peak_mb = max(result.rss_peak_mb, rss_mb(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def _drive(
    ws_url: str, result: LoadResult, server_pid: int | None, users: tuple[str, ...]
) -> None:
    """Open `result.sessions` sessions, then let them browse for `result.seconds`."""
    if server_pid is not None:
        result.rss_start_mb = result.rss_peak_mb = rss_mb(server_pid)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_memory(server_pid, result, stop))
    opening = []
    for n in range(result.sessions):
        user = users[n % len(users)]
        opening.append(asyncio.create_task(_open_session(ws_url, user, result)))
        await asyncio.sleep(0.05)  # users arrive over a moment, not in one instant
    opened = [s for s in await asyncio.gather(*opening) if s is not None]
    deadline = time.monotonic() + result.seconds
    await asyncio.gather(*(_browse(s, deadline, n, result) for n, s in enumerate(opened)))
    stop.set()
    await sampler
    if server_pid is not None:
        result.rss_end_mb = rss_mb(server_pid)


def run_load(
    base_url: str,
    sessions: int,
    seconds: float,
    server_pid: int | None = None,
    users: tuple[str, ...] = DEMO_USERS,
) -> LoadResult:
    """`sessions` users sign in to the server at `base_url` (loopback only) and browse for
    `seconds`; `server_pid` for its memory."""
    parsed = urlparse(base_url)
    if parsed.hostname not in LOOPBACK:
        raise ValueError("the load test only runs against a server on this machine (loopback)")
    result = LoadResult(sessions=sessions, seconds=seconds)
    drive = _drive(f"ws://{parsed.netloc}/_stcore/stream", result, server_pid, users)
    # A thread of its own: the caller may already run an event loop (e.g. Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, drive).result()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pid", type=int, default=None, help="server process, for memory")
    args = parser.parse_args()
    result = run_load(args.url, args.sessions, args.seconds, args.pid)
    print(f"{args.sessions} sessions: {result.summary()}")
    if args.pid:
        print(f"server memory: {result.rss_start_mb:.0f} MB -> peak {result.rss_peak_mb:.0f} MB")
    for error in result.errors[:20]:
        print("  error:", error)


if __name__ == "__main__":
    main()
