"""备份与恢复 (admin): take a backup now, list them, download one, and how to restore it."""

import streamlit as st

from components import backup_panel, feedback, filters
from components.context import ready_engine
from db.engine import read_session
from locales import t
from services.ops import backup

actor = feedback.page_start(t("ops.backups.title"))
backup_panel.require_admin(actor)
directory = backup.backup_dir()
backup_panel.intro(directory)
backup_panel.take_now_button(actor, directory)

backups = backup.list_backups(directory)
st.subheader(t("ops.backups.list", count=len(backups)))
if not backups:
    st.info(t("ops.backups.none"))
    st.stop()
backup_panel.backup_table(backups)

name = st.selectbox(
    t("ops.backups.pick"), [b.name for b in backups], key="ops.pick", placeholder=filters.choose()
)
with read_session(ready_engine()) as session:
    allowed = backup.may_download(session, actor)
if allowed:
    backup_panel.download_button(actor, directory, name)
else:
    st.info(t("ops.backups.download_county"))
backup_panel.restore_steps(name)
