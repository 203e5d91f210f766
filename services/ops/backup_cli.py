"""Backups from the command line (cron, systemd timers, the county's IT):

    python -m services.ops.backup_cli [--database-url URL] [--dir DIR] COMMAND
    ... backup [--keep-days 30] [--verify]    take a backup now (safe while the app runs)
    ... list                                  list backups, newest first
    ... restore NAME_OR_PATH --target-url URL restore into a NEW database and check it
    ... verify NAME_OR_PATH                   test-restore into a throw-away database

DATABASE_URL and CARELEDGER_BACKUP_DIR are the defaults for --database-url and --dir.
Each backup taken is written to the audit log (as `system`, naming the server account).
`restore` only writes into a database that does not exist yet. Exit status 0 means the
restored database passed its integrity check and every table matched the manifest.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.engine import database_url, make_engine, normalise_url, write_session
from db.private_files import use_private_umask
from services.errors import ServiceError
from services.ops import backup, restore
from services.ops.auto_backup import verify_backup


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.ops.backup_cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dir", type=Path, default=None, help="backup folder")
    parser.add_argument("--database-url", default=None, help="the live database")
    sub = parser.add_subparsers(dest="command", required=True)
    take = sub.add_parser("backup", help="take a consistent backup now (safe while the app runs)")
    take.add_argument("--keep-days", type=int, default=backup.KEEP_DAYS)
    take.add_argument("--verify", action="store_true", help="also test-restore it")
    sub.add_parser("list", help="list backups, newest first")
    restore = sub.add_parser("restore", help="restore into a NEW database and check it")
    restore.add_argument("backup", help="backup file name (in --dir) or path")
    restore.add_argument("--target-url", required=True, help="a database that does not exist yet")
    verify = sub.add_parser("verify", help="restore into a throw-away database and check it")
    verify.add_argument("backup")
    return parser


def _find(name_or_path: str, directory: Path | None) -> backup.BackupInfo:
    path = Path(name_or_path)
    if path.parent != Path(".") or path.exists():
        return backup.find_backup(path.name, path.resolve().parent)
    return backup.find_backup(name_or_path, directory)


def _print_report(report: restore.RestoreReport) -> int:
    print(f"restored into {report.target}")
    print(f"integrity: {report.integrity}")
    for table in sorted(set(report.expected) | set(report.actual)):
        want, got = report.expected.get(table), report.actual.get(table)
        mark = "" if want == got else "   <-- MISMATCH"
        print(f"  {table:28} manifest {want!s:>9}  restored {got!s:>9}{mark}")
    print("OK: every table matches the manifest" if report.ok else "FAILED")
    return 0 if report.ok else 1


def _verify(info: backup.BackupInfo, live_url: str) -> int:
    """Restore into a temporary database (on the live server for PostgreSQL), report, drop it."""
    return _print_report(verify_backup(info, live_url))


def _audit_backup(engine: Engine, info: backup.BackupInfo) -> bool:
    """Audit a backup taken on the command line (the admin page writes its own). A failure is
    reported (exit status 1), but the backup stays."""
    try:
        with write_session(engine) as session:
            backup.record_server_backup(
                session,
                f"backup taken on the command line by {_os_user()}: "
                f"{info.name} ({info.total_rows} rows)",
            )
    except SQLAlchemyError as exc:
        print(f"warning: the backup was not written to the audit log: {exc}", file=sys.stderr)
        return False
    return True


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's numeric user)
        return "unknown user"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    use_private_umask()  # backups, databases: 600 in 700 folders
    try:
        return _run(args)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    directory = args.dir or backup.backup_dir()
    live_url = normalise_url(args.database_url or database_url())
    if args.command == "backup":
        engine = make_engine(live_url)
        try:
            info = backup.take_backup(engine, directory, keep_days=args.keep_days)
            audited = _audit_backup(engine, info)
        finally:
            engine.dispose()
        print(
            f"{info.path}  {info.size_bytes / 1e6:.1f} MB  {info.total_rows} rows  "
            f"schema {info.schema_revision}"
        )
        status = _verify(info, live_url) if args.verify else 0
        return status or (0 if audited else 1)
    if args.command == "list":
        for info in backup.list_backups(directory):
            print(
                f"{info.name}  {info.created_at:%Y-%m-%d %H:%M} UTC  {info.backend:10}  "
                f"{info.size_bytes / 1e6:8.1f} MB  {info.total_rows:>9} rows"
            )
        return 0
    info = _find(args.backup, directory)
    if args.command == "restore":
        return _print_report(restore.restore_backup(info, args.target_url))
    return _verify(info, live_url)


if __name__ == "__main__":
    sys.exit(main())
