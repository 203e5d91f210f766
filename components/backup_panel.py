"""The backups page's parts: the admin gate, 立即备份, the list, the download, how to restore."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import download, feedback, tables
from components.context import ready_engine
from db.engine import write_session
from locales import t
from services.accounts.actor import Actor
from services.errors import NotAllowed
from services.ops import backup
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


def download_button(actor: Actor, directory: Path, name: str) -> None:
    """The chosen backup's file, read (and audited) only when the button is pressed."""

    def backup_bytes() -> bytes:
        with write_session(ready_engine()) as session:
            return backup.read_backup_for_download(session, actor, directory, name)

    download.show(t("ops.backups.download"), backup_bytes, name, key="ops.download")


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
