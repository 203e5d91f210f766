"""批量导入: upload a roster, confirm the columns, see the dry run, then import all or nothing."""

import streamlit as st

from components import feedback, roster_import
from locales import t
from services.importing.roster_template import roster_template

actor = feedback.page_start(t("import.title"))
upload = roster_import.upload_step("import", roster_template(), t("import.template_file"), "import")
if upload is None:
    st.stop()

state = roster_import.state_for(upload)
roster_import.finished(state)  # after the import: its summary only
sheet = roster_import.read_sheet(upload, state)
mapping = roster_import.column_mapping(sheet, upload.file_id)
plan = roster_import.dry_run(actor, sheet, mapping, state)
roster_import.import_button(actor, sheet, mapping, plan, state)
