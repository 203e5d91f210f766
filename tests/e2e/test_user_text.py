"""#13 item 3 in a real browser: a child named like a Markdown image on 我的待办 fetches nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from db.engine import make_engine, read_session, write_session
from db.models import Child, User
from services.actor import load_actor
from services.compliance.todo import my_todo
from tests.e2e.conftest import login, wait_idle

pytestmark = pytest.mark.e2e

BEACON_URL = "http://127.0.0.1:9/beacon.png"
BEACON = f"![x]({BEACON_URL})"


def rename_a_todo_child(database_url: str) -> None:
    """Name the head teacher's first to-do child like a Markdown image."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.username == "head_teacher"))
        todo = my_todo(session, load_actor(session, user_id), as_of=date.today())
    assert not todo.empty
    with write_session(engine) as session:
        session.execute(
            update(Child).where(Child.id == int(todo["child_id"].iloc[0])).values(name=BEACON)
        )
    engine.dispose()


def test_todo_page_fetches_no_image_named_by_a_child(live_server, page):
    rename_a_todo_child(live_server.database_url)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    login(page, live_server.url, "head_teacher")
    wait_idle(page)
    page.goto(f"{live_server.url}/todo")
    page.get_by_text(BEACON).first.wait_for()  # the name is shown, as text
    wait_idle(page)
    page.wait_for_timeout(500)

    assert not [url for url in requested if "beacon" in url]
    assert page.locator(f'img[src="{BEACON_URL}"]').count() == 0
