"""The blank staff sheet (教职工名单模板.xlsx): a title with the rules, the header, a drop-down of
roles. The headers are the ones the staff import recognises (services/importing/staff.py)."""

from __future__ import annotations

import io

from locales import enum_label, t
from services.importing.staff_values import IMPORTED_ROLES, STAFF_FIELDS
from services.reports.xlsx import display_width, new_workbook

FIRST_DATA_ROW = 2  # 0-based: title, header
LAST_DATA_ROW = 1000
WIDTHS = {"name": 12, "phone": 16, "role": 14, "taught": 30, "head_of": 16}


def staff_template() -> bytes:
    """The template: a title row saying how to fill it in, the header, no rows."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = workbook.add_worksheet(t("staff.template_sheet"))
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text_format = workbook.add_format({"num_format": "@"})
    sheet.write_string(0, 0, t("staff.template_title"), workbook.add_format({"bold": True}))
    roles = [enum_label(role) for role in IMPORTED_ROLES]
    for col, name in enumerate(STAFF_FIELDS):
        header = t(f"staff.template_header.{name}", lang="zh_CN")  # always recognised
        sheet.write_string(1, col, header, bold)
        width = max(WIDTHS[name], display_width(header) + 2)
        sheet.set_column(col, col, width, text_format)
        if name == "role":
            sheet.data_validation(
                FIRST_DATA_ROW,
                col,
                LAST_DATA_ROW,
                col,
                {"validate": "list", "source": roles, "ignore_blank": True},
            )
    sheet.freeze_panes(FIRST_DATA_ROW, 1)
    workbook.close()
    return buffer.getvalue()
