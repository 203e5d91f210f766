"""Server-side account commands (a real deployment has no demo accounts).

    python -m services.accounts.cli create-admin --username wang --name 王老师 \\
        --school-code 3601 --school-name 青山县第一小学 --county 青山县
    python -m services.accounts.cli create-user --username ju --name 县教育局 --role bureau \\
        --county 青山县
    python -m services.accounts.cli reset-password --username wang
    python -m services.accounts.cli set-school --username wang --school-code 3602

Each prints a one-time password where one is issued; the user must change it at first sign-in.
Uses DATABASE_URL (or --database-url) and migrates the database first.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import database_url, make_engine, write_session
from db.enums import AuditAction, Role
from db.migrate import upgrade
from db.models import School
from db.private_files import use_private_umask
from services import audit
from services.accounts import user_admin
from services.accounts.signin import find_user
from services.accounts.user_admin import IssuedPassword, UserDraft
from services.actor import SYSTEM_ACTOR
from services.errors import ServiceError, ValidationFailed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    use_private_umask()  # backups, databases: 600 in 700 folders
    engine = make_engine(args.database_url or database_url())
    upgrade(engine)
    try:
        with write_session(engine) as session:
            message = COMMANDS[args.command](session, args)
    except ValidationFailed as err:
        for problem in err.problems:
            print(
                f"error: {problem.column}: {problem.message} ({problem.value!r})", file=sys.stderr
            )
        return 2
    except ServiceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(message)
    return 0


def create_admin(session: Session, args: argparse.Namespace) -> str:
    school = _school(session, args.school_code, args.school_name, args.county, create=True)
    draft = UserDraft(args.username, args.name, Role.ADMIN, phone=args.phone)
    return _issued(user_admin.create_user(session, SYSTEM_ACTOR, draft, school_id=school.id))


def create_user(session: Session, args: argparse.Namespace) -> str:
    role = Role(args.role)
    school_id = None
    if role != Role.BUREAU:
        school_id = _school(session, args.school_code, None, None, create=False).id
    draft = UserDraft(args.username, args.name, role, phone=args.phone, county=args.county)
    return _issued(user_admin.create_user(session, SYSTEM_ACTOR, draft, school_id=school_id))


def reset_password(session: Session, args: argparse.Namespace) -> str:
    return _issued(user_admin.reset_password(session, SYSTEM_ACTOR, _user_id(session, args)))


def set_school(session: Session, args: argparse.Namespace) -> str:
    school = _school(session, args.school_code, None, None, create=False)
    user_admin.set_user_school(session, SYSTEM_ACTOR, _user_id(session, args), school.id)
    return f"{args.username} now belongs to {school.name} ({school.code})."


COMMANDS = {
    "create-admin": create_admin,
    "create-user": create_user,
    "reset-password": reset_password,
    "set-school": set_school,
}


def _school(
    session: Session, code: str | None, name: str | None, county: str | None, create: bool
) -> School:
    if not code:
        raise ServiceError("--school-code is required")
    school = session.scalar(select(School).where(School.code == code.strip()))
    if school is not None:
        return school
    if not (create and name and county):
        raise ServiceError(f"no school with code {code}; give --school-name and --county")
    school = School(name=name.strip(), county=county.strip(), code=code.strip())
    session.add(school)
    session.flush()
    audit.record(
        session, SYSTEM_ACTOR, AuditAction.CREATE, "school", school.id, None, audit.snapshot(school)
    )
    return school


def _user_id(session: Session, args: argparse.Namespace) -> int:
    user = find_user(session, args.username)
    if user is None:
        raise ServiceError(f"no user {args.username}")
    return user.id


def _issued(issued: IssuedPassword) -> str:
    return (
        f"User {issued.username} (id {issued.user_id}) — one-time password: "
        f"{issued.one_time_password}\nHand it over in person; it must be changed at first sign-in."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.accounts.cli", description=__doc__)
    parser.add_argument("--database-url", help="default: $DATABASE_URL or data/careledger.db")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="the first administrator of a school")
    admin.add_argument("--school-name", help="creates the school if the code is new")
    admin.add_argument("--county", help="with --school-name")
    user = commands.add_parser("create-user", help="any role; bureau accounts need --county")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--county")
    for sub in (admin, user):
        sub.add_argument("--username", required=True)
        sub.add_argument("--name", required=True, help="display name, e.g. 王老师")
        sub.add_argument("--phone")
        sub.add_argument("--school-code", required=sub is admin)
    for name in ("reset-password", "set-school"):
        sub = commands.add_parser(name)
        sub.add_argument("--username", required=True)
        if name == "set-school":
            sub.add_argument("--school-code", required=True)
    return parser


if __name__ == "__main__":
    sys.exit(main())
