"""`python -m seed.logins`: print the demo accounts (used by `make run`)."""

from __future__ import annotations

import os

LOGINS = [
    ("admin", "系统管理员"),
    ("principal", "校领导"),
    ("head_teacher", "班主任"),
    ("teacher", "教师"),
    ("counsellor", "心理辅导员"),
    ("bureau", "教育局"),
]


def main() -> None:
    port = os.environ.get("PORT", "8501")
    print()
    print(f"CareLedger 留守儿童关爱台账 → http://localhost:{port}")
    print("Demo accounts (demo school only), password demo1234:")
    for username, role in LOGINS:
        print(f"  {username:<14} {role}")
    print()


if __name__ == "__main__":
    main()
