"""Several app replicas on one PostgreSQL database.

Two real `streamlit run app.py` processes share a fresh database; what a user does through one
(a password change, failed sign-ins that lock an account, a sign-in cookie) holds on the other,
and nginx with deploy/nginx.conf keeps each browser on one replica. Two users saving the same child
at the same moment get one success and one ConflictError, on both backends.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.engine import write_session
from db.enums import Role
from db.migrate import upgrade
from db.models import Child, LoginThrottle, User
from services.actor import Actor
from services.errors import ConflictError
from services.records.children import save_children
from services.records.specs import GridChanges, RowUpdate
from tests.conftest import TEST_DATABASE_URL, engine_url, scratch_pg_engine
from tests.e2e.conftest import (
    free_port,
    login,
    login_answered,
    press_until_answered,
    start_streamlit,
    stop_process,
    wait_idle,
)
from tests.factories import TEST_PASSWORD, make_school, make_user
from tests.ops.helpers import nginx_config, small_school, start_nginx
from tests.threads import run_at_once

pytestmark = pytest.mark.xdist_group("replicas")
NEW_PASSWORD = "Lanhua-2026x"  # passes the policy (not the app's name: that is common)
FAILED = "用户名或密码错误，或账号已被锁定。"


class Replicas(NamedTuple):
    a: str
    b: str
    ports: tuple[int, int]
    engine: Engine


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """Two app processes on one fresh PostgreSQL database, with the same secrets."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set (CI sets it)")
    with scratch_pg_engine("careledger_replicas") as engine:
        upgrade(engine)
        with Session(engine) as session:
            school = make_school(session)
            make_user(session, school, Role.ADMIN, username="admin")
            make_user(session, school, Role.TEACHER, username="teacher")
            make_user(session, school, Role.TEACHER, username="newbie", must_change_password=True)
            session.commit()
        shared = {
            "CARELEDGER_COOKIE_KEY": secrets.token_urlsafe(48),
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(48),
        }
        workdir = tmp_path_factory.mktemp("replicas")
        procs = []
        try:
            ports = (free_port(), free_port())
            for port in ports:
                procs.append(
                    start_streamlit(engine_url(engine), workdir / f"app-{port}.log", port, shared)
                )
            yield Replicas(procs[0][1], procs[1][1], ports, engine)
        finally:
            for proc, _ in procs:
                stop_process(proc)


def _context(browser, **options):  # type: ignore[no-untyped-def]
    """A browser context with generous timeouts: the replicas share a busy 2-core machine."""
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(60_000)
    return context


def _submit_login(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url)
    wait_idle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    press_until_answered(page, "登录", lambda: login_answered(page))


def _user(engine: Engine, username: str) -> User:
    with Session(engine) as session:
        return session.scalars(select(User).where(User.username == username)).one()


def test_password_changed_through_one_replica_holds_on_the_other(replicas: Replicas, browser):
    first = _context(browser)
    page_a = first.new_page()
    _submit_login(page_a, replicas.a, "newbie", TEST_PASSWORD)
    page_a.get_by_label("当前密码", exact=True).fill(TEST_PASSWORD)
    page_a.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page_a.get_by_label("再次输入新密码", exact=True).fill(NEW_PASSWORD)
    changed = page_a.get_by_label("当前密码", exact=True)
    press_until_answered(page_a, "修改密码", lambda: changed.count() == 0)
    first.close()
    assert not _user(replicas.engine, "newbie").must_change_password

    second = _context(browser)
    page_b = second.new_page()
    _submit_login(page_b, replicas.b, "newbie", TEST_PASSWORD)
    page_b.get_by_text(FAILED).wait_for()
    login(page_b, replicas.b, "newbie", NEW_PASSWORD)
    assert page_b.get_by_label("当前密码", exact=True).count() == 0
    second.close()


def test_lockout_from_one_replica_refuses_the_right_password_on_the_other(
    replicas: Replicas, browser
):
    context = _context(browser)
    page = context.new_page()
    for _ in range(5):
        _submit_login(page, replicas.a, "teacher", "wrong-password-1")
    with Session(replicas.engine) as session:  # that address is locked for the account
        locked = select(LoginThrottle.locked_until).where(
            LoginThrottle.user_id == _user(replicas.engine, "teacher").id
        )
        assert session.scalar(locked) is not None

    other = _context(browser).new_page()
    _submit_login(other, replicas.b, "teacher", TEST_PASSWORD)
    other.get_by_text(FAILED).wait_for()
    assert other.get_by_label("密码", exact=True).count() == 1  # still at the login form
    other.context.close()
    context.close()


def test_sign_in_cookie_of_one_replica_is_accepted_by_the_other(replicas: Replicas, browser):
    """The same cookie key everywhere: when a replica goes away, its users stay signed in."""
    context = _context(browser)
    page = context.new_page()
    login(page, replicas.a, "admin", TEST_PASSWORD)
    assert any(c["name"] == "careledger_auth" for c in context.cookies())
    page.goto(replicas.b)  # cookies are per host, not per port: B sees A's cookie
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for()
    assert page.get_by_label("密码", exact=True).count() == 0
    context.close()


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_keeps_each_browser_on_one_replica(replicas: Replicas, browser, tmp_path: Path):
    https, http = free_port(), free_port()
    proxy = start_nginx(nginx_config(tmp_path, https, http, replicas.ports), https)
    try:
        base = f"https://127.0.0.1:{https}"
        contexts = [_context(browser, ignore_https_errors=True) for _ in range(8)]
        for context in contexts:
            page = context.new_page()
            page.goto(base)
            wait_idle(page)
            # The WebSocket went through nginx: the login form was rendered by the script.
            page.get_by_label("用户名", exact=True).wait_for()
        login(contexts[0].pages[0], base, "admin", TEST_PASSWORD)
        for context in contexts:
            context.close()
    finally:
        stop_process(proxy)
    upstreams: dict[str, set[str]] = {}
    for line in (tmp_path / "access.log").read_text().splitlines():
        route, upstream, _uri = line.split(" ", 2)
        if upstream != "-":
            upstreams.setdefault(route, set()).add(upstream)
    assert len(upstreams) >= len(contexts)
    # Sticky: every request of one browser (page, scripts, WebSocket) went to one replica...
    assert all(len(used) == 1 for used in upstreams.values()), upstreams
    # ...and the browsers were spread over both replicas.
    assert {next(iter(used)) for used in upstreams.values()} == {
        f"127.0.0.1:{port}" for port in replicas.ports
    }


# --- two users saving the same child at the same moment (services level, both backends) -------


def _edit(child_id: int, version: int, values: dict) -> GridChanges:
    return GridChanges(
        updates=[RowUpdate(id=child_id, version=version, label="儿童", values=values)]
    )


@pytest.fixture
def one_child(engine: Engine) -> tuple[dict[str, Actor], int, int]:
    """A small school with one child: its actors by username, the child's id and version."""
    actors = small_school(engine, children=1)
    with Session(engine) as session:
        child = session.scalars(select(Child)).one()
        return actors, child.id, child.version


def test_two_users_save_the_same_child_one_wins_one_is_told(engine: Engine, one_child):
    actors, child_id, seen = one_child

    # The first save has written (row locked / write lock held) but not committed yet when the
    # second starts; the second must not overwrite it silently.
    outcome: dict[str, object] = {}
    first = write_session(engine)
    session_a = first.__enter__()
    save_children(session_a, actors["admin"], _edit(child_id, seen, {"guardian_name": "李爷爷"}))

    def second() -> None:
        try:
            with write_session(engine) as session_b:
                save_children(
                    session_b,
                    actors["principal"],
                    _edit(child_id, seen, {"guardian_name": "赵奶奶"}),
                )
            outcome["second"] = "saved"
        except BaseException as exc:  # anything but a ConflictError fails the test below
            outcome["second"] = exc

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the second save should wait for the first"
    first.__exit__(None, None, None)
    thread.join(timeout=30)

    assert isinstance(outcome["second"], ConflictError), repr(outcome["second"])
    assert [c.entity_id for c in outcome["second"].conflicts] == [child_id]
    with Session(engine) as session:
        stored = session.get(Child, child_id)
        assert stored.guardian_name == "李爷爷"
        assert stored.version == seen + 1


def test_simultaneous_saves_give_exactly_one_success(engine: Engine, one_child):
    actors, child_id, seen = one_child
    results: list[object] = []

    def save(actor_name: str, guardian: str) -> None:
        try:
            with write_session(engine) as session:
                save_children(
                    session, actors[actor_name], _edit(child_id, seen, {"guardian_name": guardian})
                )
            results.append(guardian)
        except BaseException as exc:  # anything but one ConflictError fails the test below
            results.append(exc)

    run_at_once(save, ("admin", "李爷爷"), ("principal", "赵奶奶"))
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1, results
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    with Session(engine) as session:
        assert session.get(Child, child_id).guardian_name == winners[0]
