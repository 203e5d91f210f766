"""The blank staff sheet (教职工名单模板.xlsx): a title with the rules, the header, a drop-down of
roles. The headers are the ones the staff import recognises (services/importing/staff.py)."""

from __future__ import annotations

import io

from locales import enum_label, t
from services.importing.roster_template import FIRST_DATA_ROW, drop_down, start_template
from services.importing.staff_values import IMPORTED_ROLES, STAFF_FIELDS
from services.reports.xlsx import display_width, new_workbook

LAST_DATA_ROW = 1000
WIDTHS = {"name": 12, "phone": 16, "role": 14, "taught": 30, "head_of": 16}


def staff_template() -> bytes:
    """The template: a title row saying how to fill it in, the header, no rows."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet, bold, text_format = start_template(workbook, "staff")
    roles = [enum_label(role) for role in IMPORTED_ROLES]
    for col, name in enumerate(STAFF_FIELDS):
        header = t(f"staff.template_header.{name}", lang="zh_CN")  # always recognised
        sheet.write_string(1, col, header, bold)
        width = max(WIDTHS[name], display_width(header) + 2)
        sheet.set_column(col, col, width, text_format)
        if name == "role":
            drop_down(sheet, col, roles, LAST_DATA_ROW)
    sheet.freeze_panes(FIRST_DATA_ROW, 1)
    workbook.close()
    return buffer.getvalue()
