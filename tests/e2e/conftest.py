"""Browser test fixtures: a real `streamlit run app.py` on a seeded temp database, and Playwright
driving Debian's Chromium.

- `browser` (session): Chromium via Playwright; fails in CI when /usr/bin/chromium is missing,
  skips elsewhere.
- `live_server` (module): `LiveServer(url, database_url)` — a temp database seeded with
  120 children, served by `streamlit run app.py` on a free loopback port. SQLite by default;
  `@pytest.mark.parametrize("live_server", BACKENDS, indirect=True)` runs it on PostgreSQL too
  (a fresh database on TEST_DATABASE_URL's server, migrated with `python -m db.upgrade`).
- `page` (per test): a new context + page, 1400×1000, locale zh-CN.
- helpers: `fresh_database(backend, workdir)` and `serve(database_url, workdir)` for a server of
  a test's own, `run_module(database_url, module, *args)` for the commands `make run` types,
  `login(page, base_url, username, password)` / `submit_login(page, username, password)`,
  `change_forced_password(page, one_time, new)`, `slip_password(pdf, username)`,
  `press_until_answered(...)`, `wait_idle(page)`, `screenshot(page, name)` (under
  artifacts/screenshots/, git-ignored).
- `engine` (per test) on the live server's database; the data editor helpers are in
  tests/e2e/grid.py.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from tests.conftest import scratch_pg_engine

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = ROOT / "artifacts" / "screenshots"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
SERVER_START_TIMEOUT_S = 60
SEED_CHILDREN = 120
DEMO_PASSWORD = "demo1234"
# Generous: on a busy 2-core machine a sign-in (bcrypt, two reruns) can take a while.
SIGN_IN_TIMEOUT_MS = 60_000
# How long a pressed button may go unanswered before it is pressed again.
PRESS_ANSWER_S = 20
LOGIN_FAILED = "用户名或密码错误，或账号已被锁定。"


_SHARED: dict[str, Any] = {}


class LiveServer(NamedTuple):
    url: str
    database_url: str


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Poll /_stcore/health until it answers "ok"; fail with the server log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit not healthy after {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def start_streamlit(
    database_url: str, log: Path, port: int | None = None, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on loopback; returns the process and its base URL (healthy)."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    out = log.open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, proc, SERVER_START_TIMEOUT_S, log)
    except BaseException:
        stop_process(proc)
        raise
    return proc, base_url


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate one process we started, then kill it if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Playwright Chromium (Debian's binary); must run in CI, may skip on a bare laptop."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} missing: apt-get install -y chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # One Playwright per process: other test folders reuse this fixture (tests/ops imports it),
    # and a second sync_playwright() in the same thread fails ("Sync API inside the asyncio loop").
    if not _SHARED:
        playwright = sync_playwright().start()
        _SHARED.update(
            playwright=playwright,
            browser=playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS),
            users=0,
        )
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED["browser"].close()
            _SHARED["playwright"].stop()
            _SHARED.clear()


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """The URL of a brand-new, empty database: a file not yet made under `workdir` (SQLite), or
    a database of its own on TEST_DATABASE_URL's server, dropped on the way out (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'live.db'}"
        return
    with scratch_pg_engine("careledger_e2e") as engine:
        yield engine.url.render_as_string(hide_password=False)


def run_module(database_url: str, module: str, *args: str, **env: str) -> str:
    """`python -m module args` on `database_url`, as `make run` types it; returns its output."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"python -m {module}: {done.returncode}\n{done.stderr[-4000:]}"
    return done.stdout


@contextmanager
def serve(
    database_url: str, workdir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """`streamlit run app.py` on `database_url` for the duration; yields its base URL. Backups
    the app takes go to `workdir`, not the repository's data/."""
    extra = {"CARELEDGER_BACKUP_DIR": str(workdir / "backups"), **(extra_env or {})}
    proc, base_url = start_streamlit(database_url, workdir / "streamlit.log", extra_env=extra)
    try:
        yield base_url
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A seeded temp database served by a real Streamlit process on a free port: SQLite, or
    the backend given by indirect parametrization ("sqlite" / "postgresql")."""
    from db.engine import make_engine
    from seed.generator import SeedConfig, seed_database

    backend = getattr(request, "param", "sqlite")
    workdir = tmp_path_factory.mktemp("live_server")
    with fresh_database(backend, workdir) as database_url:
        run_module(database_url, "db.upgrade")
        engine = make_engine(database_url)
        seed_database(engine, SeedConfig(children=SEED_CHILDREN))
        engine.dispose()
        with serve(database_url, workdir) as base_url:
            yield LiveServer(base_url, database_url)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page per test (no cookies shared between tests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the script run triggered by the last action has finished."""
    # A click starts a rerun a moment later; give it that moment, then wait for notRunning.
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout)


def login(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the app and sign in through the login form (labels 用户名 / 密码, button 登录)."""
    page.goto(base_url)
    page.wait_for_selector(IDLE)
    submit_login(page, username, password)
    # Signed in: the login form is gone (during the rerun the old and new forms can both be in
    # the page for a moment, so count rather than wait for one element) and the sidebar is shown.
    if page.get_by_label("密码", exact=True).count():
        raise AssertionError(f"sign-in of {username} refused ({LOGIN_FAILED})")
    # Attached rather than visible: on a phone-width screen the sidebar starts collapsed.
    page.wait_for_selector("[data-testid=stSidebar]", state="attached")
    wait_idle(page)


def submit_login(page: Page, username: str, password: str) -> None:
    """Fill the login form and press 登录 until the app answers (the form gone: signed in, or
    the refusal message). A press dropped while the cookie component's first rerun is under way
    reaches no sign-in code (no audit row, no failure counted), so pressing again is safe."""
    # A rerun (the cookie component answering) shows the old and the new form for a moment.
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stForm]').length == 1")
    form = page.locator("[data-testid=stForm]")
    form.get_by_label("用户名", exact=True).fill(username)
    form.get_by_label("密码", exact=True).fill(password)
    # Streamlit's own English "Press Enter to submit form" stays hidden (app.py; Enter still works).
    assert page.locator("[data-testid=InputInstructions]:visible").count() == 0
    press_until_answered(page, "登录", lambda: login_answered(page))


def login_answered(page: Page) -> bool:
    """The login form is gone (signed in) or says the sign-in failed."""
    return (
        page.get_by_label("密码", exact=True).count() == 0
        or page.get_by_text(LOGIN_FAILED).count() > 0
    )


def change_forced_password(page: Page, one_time: str, new: str) -> None:
    """At the first sign-in with a one-time password: choose one's own, then the app opens."""
    page.get_by_text("请设置新密码").wait_for(timeout=SIGN_IN_TIMEOUT_MS)
    form = page.locator("[data-testid=stForm]")
    form.get_by_label("当前密码", exact=True).fill(one_time)
    form.get_by_label("新密码", exact=True).fill(new)
    form.get_by_label("再次输入新密码", exact=True).fill(new)
    page.get_by_role("button", name="修改密码", exact=True).click()
    wait_idle(page, timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_selector("[data-testid=stSidebarNav]", timeout=SIGN_IN_TIMEOUT_MS)


def slip_password(pdf: bytes, username: str) -> tuple[str, str]:
    """The staff slips PDF's text and the one-time password on `username`'s slip."""
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    found = re.search(rf"用户名：\s*{username}\s*一次性密码：\s*(\S+)", text)
    assert found, text
    return text, found.group(1)


def press_until_answered(
    page: Page, button: str, answered: Callable[[], bool], attempts: int = 3
) -> None:
    """Press a form button until `answered()` holds, pressing again if the app never answers.

    A busy Streamlit server (just started, or many sessions at once) sometimes drops a press: the
    run after it shows the same form and no message. A user presses again; so do the tests."""
    for _ in range(attempts):
        page.get_by_role("button", name=button, exact=True).click()
        wait_idle(page, timeout=SIGN_IN_TIMEOUT_MS)
        deadline = time.monotonic() + PRESS_ANSWER_S
        while time.monotonic() < deadline:
            if answered():
                return
            page.wait_for_timeout(250)
    raise AssertionError(f"{button}: no answer after {attempts} presses")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def engine(live_server: LiveServer) -> Iterator[Engine]:
    """An engine on the live server's database, to read what a page stored."""
    from db.engine import make_engine

    eng = make_engine(live_server.database_url)
    yield eng
    eng.dispose()
