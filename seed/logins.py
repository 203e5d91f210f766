"""`python -m seed.logins`: what `make run` prints before serving — the address, and the demo
accounts only when the database holds the demo (a real school has none of them)."""

from __future__ import annotations

import os

from sqlalchemy.exc import SQLAlchemyError

from db.engine import database_url, make_engine, read_session
from services.installation import Installation, Kind, installation

LOGINS = [
    ("admin", "系统管理员"),
    ("principal", "校领导"),
    ("head_teacher", "班主任"),
    ("teacher", "教师"),
    ("counsellor", "心理辅导员"),
    ("bureau", "教育局"),
]


def describe(state: Installation | None) -> list[str]:
    """The lines to print for what the database holds (None: it could not be read)."""
    if state is None:
        return []
    if state.kind == Kind.DEMO:
        lines = ["Demo accounts (demo school only), password demo1234:"]
        return lines + [f"  {username:<14} {role}" for username, role in LOGINS]
    if state.kind in (Kind.EMPTY, Kind.SETUP):
        return [
            "No school yet: open the address above; the setup wizard creates the school and its",
            "first administrator.",
            "首次使用：在浏览器中打开上面的地址，按「学校初始设置向导」完成设置。",
        ]
    return [
        f"School: {'、'.join(state.school_names)} — everyone signs in with their own account.",
        "(A real school has no demo accounts.)",
    ]


def read_state() -> Installation | None:
    engine = make_engine(database_url())
    try:
        with read_session(engine) as session:
            return installation(session)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def main() -> None:
    port = os.environ.get("PORT", "8501")
    print()
    print(f"CareLedger 留守儿童关爱台账 → http://localhost:{port}")
    for line in describe(read_state()):
        print(line)
    print()


if __name__ == "__main__":
    main()
