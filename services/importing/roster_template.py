"""The downloadable import template (.xlsx): Chinese headers, one example row, drop-down lists."""

from __future__ import annotations

import io
from datetime import date, datetime

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from db.enums import Gender, KeyReason, LeftBehindType
from locales import enum_options, t
from services.reports.workbook_data import CHILD_FIELDS, GUARDIAN_FIELDS
from services.reports.xlsx import display_width, new_workbook

TEMPLATE_FIELDS: tuple[str, ...] = (
    *CHILD_FIELDS,
    "left_behind_since",
    "father_name",
    "father_phone",
    "father_work",
    "mother_name",
    "mother_phone",
    "mother_work",
    *GUARDIAN_FIELDS,
    "boarding",
    "village",
    "ethnicity",
    "is_key",
    "key_reasons",
    "personality",
    "hobbies",
    "study_level",
    "health_notes",
    "psychology_notes",
    "disability",
    "archive_date",
)
EXAMPLE: dict[str, object] = {
    "student_no": "G510000201703150012",
    "name": "张小萍",
    "gender": "女",
    "birth_date": date(2017, 3, 15),
    "classroom": "三年级(2)班",
    "left_behind_type": "双亲外出",
    "left_behind_since": date(2021, 2, 1),
    "father_name": "张建国",
    "father_phone": "13812345678",
    "father_work": "广东省深圳市宝安区",
    "mother_name": "李秀兰",
    "mother_phone": "13987654321",
    "mother_work": "广东省东莞市",
    "guardian_name": "王桂芳",
    "guardian_relation": "祖母",
    "guardian_phone": "0851-1234567",
    "guardian_age": 66,
    "guardian_health": "良好",
    "guardian_education": "小学",
    "lives_with": "祖父母",
    "boarding": "否",
    "village": "青山村",
    "ethnicity": "汉族",
    "is_key": "否",
    "personality": "内向",
    "hobbies": "画画",
    "study_level": "中等",
    "archive_date": date(2026, 9, 1),
}
DATE_FIELDS = {"birth_date", "left_behind_since", "archive_date"}
TEXT_FIELDS = {"student_no", "father_phone", "mother_phone", "guardian_phone"}
FIRST_DATA_ROW = 2  # 0-based: title, header, example
LAST_DATA_ROW = 5000


def _choices() -> dict[str, list[str]]:
    yes_no = [t("import.yes"), t("import.no")]
    return {
        "gender": list(enum_options(Gender).values()),
        "left_behind_type": list(enum_options(LeftBehindType).values()),
        "boarding": yes_no,
        "is_key": yes_no,
        "key_reasons": list(enum_options(KeyReason).values()),
    }


def start_template(workbook: Workbook, prefix: str) -> tuple[Worksheet, Format, Format]:
    """The template's sheet with its title row (locale keys `<prefix>.template_sheet` and
    `<prefix>.template_title`), and the header and text formats."""
    sheet = workbook.add_worksheet(t(f"{prefix}.template_sheet"))
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text_format = workbook.add_format({"num_format": "@"})
    sheet.write_string(0, 0, t(f"{prefix}.template_title"), workbook.add_format({"bold": True}))
    return sheet, bold, text_format


def drop_down(sheet: Worksheet, col: int, source: list[str], last_row: int = LAST_DATA_ROW) -> None:
    """A list to choose from in the column's data rows (a blank cell stays allowed)."""
    sheet.data_validation(
        FIRST_DATA_ROW,
        col,
        last_row,
        col,
        {"validate": "list", "source": source, "ignore_blank": True},
    )


def roster_template() -> bytes:
    """The template: a title row, the header, an example row, drop-downs on the enum columns."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet, bold, text_format = start_template(workbook, "import")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    choices = _choices()
    for col, name in enumerate(TEMPLATE_FIELDS):
        header = t(f"import.field.{name}")
        sheet.write_string(1, col, header, bold)
        cell_format = text_format if name in TEXT_FIELDS else None
        if name in DATE_FIELDS:
            cell_format = date_format
        width = max(display_width(header), display_width(str(EXAMPLE.get(name, "")))) + 2
        sheet.set_column(col, col, width, cell_format)
        value = EXAMPLE.get(name)
        if isinstance(value, date):
            when = datetime(value.year, value.month, value.day)
            sheet.write_datetime(FIRST_DATA_ROW, col, when, date_format)
        elif isinstance(value, int):
            sheet.write_number(FIRST_DATA_ROW, col, value)
        elif value is not None:
            sheet.write_string(FIRST_DATA_ROW, col, str(value), cell_format)
        if name in choices and name != "key_reasons":
            drop_down(sheet, col, choices[name])
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    workbook.close()
    return buffer.getvalue()
