"""Starts the app's own daily backup (services/ops/auto_backup.py) once per server process, when
CARELEDGER_AUTO_BACKUP is on (`make run` turns it on). app.py calls `start_once()` every run; only
the first run of the process starts the thread, and no run ever waits for a backup."""

from __future__ import annotations

import streamlit as st

from components.context import ready_engine
from db.engine import database_url
from services.ops import auto_backup, backup


@st.cache_resource(show_spinner=False)
def _runner(url: str, directory: str, on: bool) -> auto_backup.AutoBackup | None:
    """One thread per (database, folder) in this process; None when switched off."""
    if not on:
        return None
    runner = auto_backup.AutoBackup(ready_engine(), backup.backup_dir())
    runner.start()
    return runner


def start_once() -> auto_backup.AutoBackup | None:
    """The process's backup thread (started on first call), or None when switched off."""
    return _runner(database_url(), str(backup.backup_dir()), auto_backup.enabled())
