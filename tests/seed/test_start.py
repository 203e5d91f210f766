"""Demo or real, chosen once (`make run` / `make run DEMO=0`: `python -m seed --start demo|real`):
the demo only ever goes into an empty database, a real school's database is never seeded with
demo rows, the demo is put aside (not deleted) when a real school starts on its computer, and
what `make run` prints at start matches what the database holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db.engine import make_engine, read_session, write_session
from db.enums import Role
from db.migrate import upgrade
from db.models import Child, School
from seed import SeedConfig, seed_database
from seed.__main__ import main as seed_main
from seed.logins import main as logins_main
from services.installation import Kind, installation, write_marker
from services.ops import backup
from tests.conftest import engine_url
from tests.factories import make_school, make_user

SMALL = ["--children", "20"]


def kind_of(engine: Engine) -> Kind:
    with read_session(engine) as session:
        return installation(session).kind


def children(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count(Child.id)))


def add_real_school(engine: Engine, name: str = "青山县第一小学") -> None:
    with write_session(engine) as session:
        school = make_school(session, name=name)
        make_user(session, school, Role.ADMIN, username="wang")


def start(url: str, choice: str, *extra: str) -> int:
    return seed_main(["--database-url", url, "--start", choice, *extra])


def test_demo_start_seeds_an_empty_database_once_and_marks_it_demo(engine, capsys):
    url = engine_url(engine)
    assert start(url, "demo", *SMALL) == 0
    first = children(engine)
    assert first > 0
    assert kind_of(engine) == Kind.DEMO
    assert start(url, "demo", *SMALL) == 0  # the next `make run`: nothing seeded again
    assert children(engine) == first
    assert "already" in capsys.readouterr().out


def test_demo_start_on_a_real_school_seeds_nothing_and_serves_it(engine, capsys):
    add_real_school(engine)
    assert start(engine_url(engine), "demo", *SMALL) == 0
    assert children(engine) == 0
    out = capsys.readouterr().out
    assert "青山县第一小学" in out
    assert kind_of(engine) == Kind.REAL


def test_real_start_on_an_empty_database_waits_for_the_wizard_and_the_demo_stays_out(engine):
    url = engine_url(engine)
    assert start(url, "real") == 0
    assert kind_of(engine) == Kind.SETUP
    # `make run` without DEMO=0 the next morning, before the wizard was finished: no demo rows.
    assert start(url, "demo", *SMALL) == 0
    assert seed_main(["--database-url", url, "--if-empty", *SMALL]) == 0
    assert children(engine) == 0
    assert kind_of(engine) == Kind.SETUP


def test_plain_seed_refuses_a_real_schools_database(engine, capsys):
    url = engine_url(engine)
    assert start(url, "real") == 0
    assert seed_main(["--database-url", url, *SMALL]) == 2
    assert "real school" in capsys.readouterr().err
    add_real_school(engine)
    assert seed_main(["--database-url", url, *SMALL]) == 2
    assert children(engine) == 0


def test_a_school_added_to_the_demo_makes_it_real(engine):
    url = engine_url(engine)
    assert start(url, "demo", *SMALL) == 0
    add_real_school(engine, "新来的学校")
    with read_session(engine) as session:
        state = installation(session)
    assert state.kind == Kind.REAL
    assert state.school_names == ("新来的学校",)


def test_a_demo_seeded_before_the_marker_existed_is_still_known_as_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'old-demo.db'}"
    engine = make_engine(url)
    seed_database(engine, SeedConfig(children=20))  # as `make run` did before the marker
    assert kind_of(engine) == Kind.REAL  # unmarked: taken for real until seed looks closer
    assert start(url, "demo", *SMALL) == 0
    assert kind_of(engine) == Kind.DEMO
    engine.dispose()


def test_real_start_on_the_demo_puts_it_aside_with_its_backups(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("CARELEDGER_BACKUP_DIR", str(data / "backups"))
    url = f"sqlite:///{data / 'careledger.db'}"
    assert start(url, "demo", *SMALL) == 0
    engine = make_engine(url)
    demo_backup = backup.take_backup(engine)
    engine.dispose()
    other = data / "backups" / "careledger-20260101T000000Z.sqlite3"  # another database's
    other.write_bytes(b"x")
    manifest = json.loads(Path(str(demo_backup.path) + ".json").read_text())
    other.with_name(other.name + ".json").write_text(
        json.dumps({**manifest, "source": "sqlite:////elsewhere.db"})
    )

    assert start(url, "real") == 0

    aside = [p for p in data.iterdir() if p.name.startswith("demo-")]
    assert len(aside) == 1
    assert (aside[0] / "careledger.db").exists()
    assert (aside[0] / "backups" / demo_backup.name).exists()
    assert [b.name for b in backup.list_backups()] == [other.name]
    engine = make_engine(url)
    assert kind_of(engine) == Kind.SETUP
    with read_session(engine) as session:
        assert session.scalar(select(func.count(School.id))) == 0
    engine.dispose()
    old = make_engine(f"sqlite:///{aside[0] / 'careledger.db'}")
    assert children(old) > 0  # nothing lost: the demo is kept, only moved
    old.dispose()
    assert str(aside[0]) in capsys.readouterr().out


def test_real_start_on_a_mixed_database_moves_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'careledger.db'}"
    assert start(url, "demo", *SMALL) == 0
    engine = make_engine(url)
    add_real_school(engine)
    assert start(url, "real") == 0
    assert children(engine) > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("demo-")] == []
    engine.dispose()


def test_real_start_on_a_server_database_holding_the_demo_refuses(engine, capsys):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite demos are put aside; a server database is not moved")
    url = engine_url(engine)
    assert start(url, "demo", *SMALL) == 0
    assert start(url, "real") == 2
    assert "DATABASE_URL" in capsys.readouterr().err
    assert children(engine) > 0


@pytest.mark.parametrize(
    ("state", "shown", "hidden"),
    [
        ("demo", ["demo1234", "head_teacher"], []),
        ("setup", ["设置向导"], ["demo1234"]),
        ("real", ["青山县第一小学"], ["demo1234", "head_teacher"]),
    ],
)
def test_make_run_prints_the_demo_accounts_only_for_the_demo(
    engine, monkeypatch, capsys, state, shown, hidden
):
    url = engine_url(engine)
    if state == "demo":
        assert start(url, "demo", *SMALL) == 0
    else:
        assert start(url, "real") == 0
    if state == "real":
        add_real_school(engine)
    capsys.readouterr()
    monkeypatch.setenv("DATABASE_URL", url)
    logins_main()
    out = capsys.readouterr().out
    assert "http://localhost:" in out
    for text in shown:
        assert text in out
    for text in hidden:
        assert text not in out


def test_the_marker_survives_being_written_twice(engine):
    upgrade(engine)
    with write_session(engine) as session:
        write_marker(session, Kind.REAL)
        write_marker(session, Kind.REAL)
    assert kind_of(engine) == Kind.SETUP
