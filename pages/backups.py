"""备份与恢复 (admin): take a backup now, list them, download one, and how to restore it."""

import streamlit as st

from components import download
from components.context import current_actor, ready_engine
from db.engine import read_session, write_session
from locales import t
from services.errors import NotAllowed, ServiceError
from services.ops import backup

actor = current_actor()
engine = ready_engine()
directory = backup.backup_dir()
st.title(t("ops.backups.title"))
try:
    backup.require_backup_admin(actor)
except NotAllowed:
    st.error(t("error.not_allowed"))
    st.stop()
st.caption(t("ops.backups.intro", keep=backup.KEEP_DAYS, folder=str(directory)))

if st.button(t("ops.backups.take_now"), type="primary", key="ops.take_backup"):
    try:
        with st.spinner(t("ops.backups.taking")), write_session(engine) as session:
            info = backup.create_backup(session, actor, engine, directory)
        st.success(t("ops.backups.taken", name=info.name, rows=f"{info.total_rows:,}"))
    except ServiceError as err:
        st.error(t(err.message_key))
        st.code(str(err), language=None)

backups = backup.list_backups(directory)
st.subheader(t("ops.backups.list", count=len(backups)))
if not backups:
    st.info(t("ops.backups.none"))
    st.stop()
st.dataframe(
    [
        {
            t("ops.col.time"): info.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            t("ops.col.file"): info.name,
            t("ops.col.size"): f"{info.size_bytes / 1e6:.1f} MB",
            t("ops.col.rows"): info.total_rows,
            t("ops.col.schema"): info.schema_revision,
        }
        for info in backups
    ],
    hide_index=True,
    width="stretch",
)

name = st.selectbox(t("ops.backups.pick"), [b.name for b in backups], key="ops.pick")
with read_session(engine) as session:
    allowed = backup.may_download(session, actor)
if allowed:

    def backup_bytes() -> bytes:
        with write_session(engine) as session:
            return backup.read_backup_for_download(session, actor, directory, name)

    download.show(t("ops.backups.download"), backup_bytes, name, key="ops.download")
else:
    st.info(t("ops.backups.download_county"))

st.subheader(t("ops.restore.title"))
st.markdown(t("ops.restore.steps"))
target = "sqlite:///data/restored.db" if name.endswith(".sqlite3") else t("ops.restore.pg_target")
st.code(
    f"python -m services.ops.backup_cli verify {name}\n"
    f"python -m services.ops.backup_cli restore {name} --target-url {target}",
    language="bash",
)
st.caption(t("ops.restore.after"))
