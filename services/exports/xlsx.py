"""Writing DataFrames to .xlsx safely: frozen header, filter, widths for Chinese text, real dates,
and every text cell stored as text, so nothing a spreadsheet opens can run as a formula."""

from __future__ import annotations

import io
import math
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

MAX_WIDTH = 60
# Values starting like this are formulas (or DDE) to a spreadsheet; XlsxWriter is told never to
# turn strings into formulas, and they are written with write_string so they stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def display_width(text: str) -> int:
    """Columns a text needs: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def new_workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )


def frames_to_xlsx(
    sheets: list[tuple[str, pd.DataFrame]],
    title_lines: list[str],
    percent_columns: frozenset[str] = frozenset(),
) -> bytes:
    """One worksheet per (name, frame), each headed by `title_lines` (period, filters);
    columns named in `percent_columns` are shown as percentages."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 12}),
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
    }
    for name, frame in sheets:
        sheet = workbook.add_worksheet(name[:31])
        write_frame(sheet, frame, title_lines, formats)
        for col, column in enumerate(frame.columns):
            if column in percent_columns:
                sheet.set_column(col, col, 10, formats["percent"])
    workbook.close()
    return buffer.getvalue()


def write_frame(
    sheet: Worksheet, frame: pd.DataFrame, title_lines: list[str], formats: dict
) -> None:
    for row, line in enumerate(title_lines):
        sheet.write_string(row, 0, line, formats["title"])
    header_row = len(title_lines)
    widths = [display_width(str(c)) for c in frame.columns]
    for col, column in enumerate(frame.columns):
        sheet.write_string(header_row, col, str(column), formats["header"])
    for offset, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for col, value in enumerate(values):
            shown = write_cell(sheet, header_row + offset, col, value, formats["date"])
            if shown > widths[col]:
                widths[col] = shown
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(header_row + 1, 0)
    last_col = max(len(frame.columns) - 1, 0)
    sheet.autofilter(header_row, 0, header_row + len(frame), last_col)


def write_cell(sheet: Worksheet, row: int, col: int, value: object, date_format: object) -> int:
    """Write one value by its type; returns the width it needs."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return 0
    if isinstance(value, datetime | pd.Timestamp):
        sheet.write_datetime(
            row,
            col,
            value.to_pydatetime() if isinstance(value, pd.Timestamp) else value,
            date_format,
        )
        return 10
    if isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), date_format)
        return 10
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
        return 5
    if isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
        return len(f"{value}")
    text = str(value)
    sheet.write_string(row, col, text)
    return display_width(text)
