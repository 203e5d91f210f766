"""Every registered page opens without an exception for every role that is offered it,
on the demo school's generated data (richer than the hand-built cases of the page tests)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from components.navigation import PAGES
from db.engine import make_engine, read_session
from db.enums import Role
from db.models import User
from seed.generator import DEMO_USERS, SeedConfig, seed_database
from services.actor import load_actor
from tests.pages.apptest import run_page

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = make_engine(url)
    seed_database(engine, SeedConfig(children=150))
    with read_session(engine) as session:
        actors = {
            role: load_actor(session, session.scalar(select(User.id).where(User.username == name)))
            for name, role in DEMO_USERS.items()
        }
    engine.dispose()
    return url, actors


def test_every_page_file_is_registered_and_every_registered_page_exists():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    registered = {spec.path for spec in PAGES}
    assert files == registered


def test_every_role_has_exactly_one_landing_page():
    for role in Role:
        landing = [s.path for s in PAGES if role in s.roles and role in s.default_for]
        assert len(landing) == 1, (role, landing)


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_the_role_renders_on_demo_data(demo_school, role, monkeypatch):
    url, actors = demo_school
    monkeypatch.setenv("DATABASE_URL", url)
    pages = [spec.path for spec in PAGES if role in spec.roles]
    assert pages, f"{role} has no pages"
    failures = {}
    for path in pages:
        at = run_page(path, actors[role], timeout=60)
        if at.exception:
            failures[path] = [e.message for e in at.exception]
    assert failures == {}
