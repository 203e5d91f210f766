"""The backups page's parts: the admin gate, 立即备份, the list, the download, how to restore;
and the backup status on the administrator's home page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from components import auto_backup as app_backup
from components import download, feedback, tables
from components.context import ready_engine
from db.engine import read_session, write_session
from locales import t
from services.actor import Actor
from services.clock import school_timezone
from services.errors import NotAllowed
from services.ops import auto_backup, backup
from services.ops.backup_db import BackupFailed


def require_admin(actor: Actor) -> None:
    """Stop with one message unless the actor may manage backups (the service decides)."""
    try:
        backup.require_backup_admin(actor)
    except NotAllowed as exc:
        feedback.show_error(exc)
        st.stop()


def take_now_button(actor: Actor, directory: Path) -> None:
    """立即备份: take a backup in the page's transaction (audited) and say what it holds."""
    if not st.button(t("ops.backups.take_now"), type="primary", key="ops.take_backup"):
        return
    with st.spinner(t("ops.backups.taking")):
        info = feedback.submit(
            lambda session: backup.create_backup(session, actor, ready_engine(), directory),
            rerun=False,
            on_error={BackupFailed: _show_failure},
        )
    if info is not feedback.FAILED:
        st.success(t("ops.backups.taken", name=info.name, rows=f"{info.total_rows:,}"))


def backup_table(backups: list[backup.BackupInfo]) -> None:
    """One row per backup: when, file, size, rows, schema revision."""
    frame = pd.DataFrame(
        [
            {
                "time": info.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                "file": info.name,
                "size": f"{info.size_bytes / 1e6:.1f} MB",
                "rows": info.total_rows,
                "schema": info.schema_revision,
            }
            for info in backups
        ]
    )
    tables.show(frame, {c: t(f"ops.col.{c}") for c in frame.columns}, rename=True)


def download_button(
    actor: Actor, directory: Path, name: str, label: str | None = None, key: str = "ops.download"
) -> None:
    """The chosen backup's file, read (and audited) only when the button is pressed."""

    def backup_bytes() -> bytes:
        with write_session(ready_engine()) as session:
            return backup.read_backup_for_download(session, actor, directory, name)

    download.show(label or t("ops.backups.download"), backup_bytes, name, key=key)


def auto_on() -> bool:
    """The app's own daily backup runs in this process (CARELEDGER_AUTO_BACKUP); the home card
    and the backups page both read this, so they never contradict each other."""
    return app_backup.start_once() is not None


def intro(directory: Path) -> None:
    """The backups page's first line: who takes the backups (the app daily, or the server's timer
    and the button), how long they are kept, and where."""
    key = "ops.backups.intro_auto" if auto_on() else "ops.backups.intro_manual"
    st.caption(t(key, keep=backup.KEEP_DAYS, folder=str(directory)))


def home_status(actor: Actor) -> None:
    """The administrator's home page: the newest backup's age (a warning after two days), a
    failed automatic backup, and the monthly reminder to copy one off the machine (下载最新备份,
    audited like every download)."""
    directory = backup.backup_dir()
    with read_session(ready_engine()) as session:
        status = auto_backup.backup_status(session, actor, directory)
    runner = app_backup.start_once()
    with st.container(border=True):
        st.subheader(t("ops.home.title"))
        if status.newest is None:
            st.warning(t("ops.home.none"))
        else:
            when = status.newest.created_at.astimezone(school_timezone())
            newest = t("ops.home.newest", age=_age(status.age), when=f"{when:%Y-%m-%d %H:%M}")
            if status.stale:
                st.warning(f"{newest} {t('ops.home.stale')}")
            else:
                st.success(newest)
        if runner is not None and runner.last_error:
            st.error(t("ops.home.failed"))
            st.code(runner.last_error, language=None)
        st.caption(t("ops.home.auto_on" if auto_on() else "ops.home.auto_off"))
        if status.copy_due and status.newest is not None:
            last = status.last_copied
            st.info(
                t("ops.home.copy_due", last=f"{last.astimezone(school_timezone()):%Y-%m-%d}")
                if last
                else t("ops.home.copy_never")
            )
            download_button(
                actor, directory, status.newest.name, t("ops.home.download"), "ops.home.download"
            )


def _age(age: timedelta | None) -> str:
    minutes = int((age or timedelta()).total_seconds() // 60)
    if minutes < 1:
        return t("ops.home.just_now")
    if minutes < 60:
        return t("ops.home.minutes", n=minutes)
    if minutes < 48 * 60:
        return t("ops.home.hours", n=minutes // 60)
    return t("ops.home.days", n=minutes // (24 * 60))


def restore_steps(name: str) -> None:
    """How to verify and restore `name` on the server (the commands, ready to copy)."""
    st.subheader(t("ops.restore.title"))
    st.markdown(t("ops.restore.steps"))
    sqlite = name.endswith(".sqlite3")
    target = "sqlite:///data/restored.db" if sqlite else t("ops.restore.pg_target")
    st.code(
        f"python -m services.ops.backup_cli verify {name}\n"
        f"python -m services.ops.backup_cli restore {name} --target-url {target}",
        language="bash",
    )
    st.caption(t("ops.restore.after"))


def _show_failure(exc: BackupFailed) -> None:
    """The reason and the tool's own words (e.g. pg_dump's), for the administrator."""
    st.error(t(exc.message_key))
    st.code(str(exc), language=None)
