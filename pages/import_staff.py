"""导入教职工: upload the staff sheet, see the accounts it makes, import all or nothing, then
download the slips with the one-time passwords."""

import streamlit as st

from components import feedback, roster_import, staff_import
from locales import t
from services.importing.staff_template import staff_template
from services.importing.staff_values import read_staff_sheet

actor = feedback.page_start(t("staff.title"))
upload = roster_import.upload_step("staff", staff_template(), t("staff.template_file"), "staff")
if upload is None:
    st.stop()

state = roster_import.state_for(upload, staff_import.STATE_KEY)
staff_import.finished(actor, state)  # after the import: its summary and the slips only
sheet = roster_import.read_sheet(upload, state, read_staff_sheet)
username_from = staff_import.username_choice()
mapping = staff_import.staff_columns(sheet, upload.file_id)
plan = staff_import.dry_run(actor, sheet, mapping, username_from, state)
staff_import.import_button(actor, sheet, mapping, username_from, plan, state)
