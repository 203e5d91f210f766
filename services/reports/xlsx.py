"""Writing DataFrames to .xlsx safely: frozen header, filter, widths for Chinese text, real dates,
and every text cell stored as text, so nothing a spreadsheet opens can run as a formula.

Big workbooks stream: `frames_to_xlsx` writes in XlsxWriter's constant_memory mode (each row goes
to a temporary file as soon as it is written, no shared-string table) and reports its progress
(rows written, rows in all) to an optional callback, so a page can show a progress bar."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 500
EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
# Values starting like this are formulas (or DDE) to a spreadsheet; XlsxWriter is told never to
# turn strings into formulas, and they are written with write_string so they stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 5_000  # rows between two progress reports
Progress = Callable[[int, int], None]  # (rows written, rows in all)


def display_width(text: str) -> int:
    """Columns a text needs: East Asian wide characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def new_workbook(buffer: io.BytesIO, streaming: bool = False) -> xlsxwriter.Workbook:
    """A workbook that never turns text into formulas, links or numbers. `streaming`: rows are
    written in order and flushed as they go (constant_memory; temporary files, 600 under the
    app's umask, removed at close), else the workbook is built in memory."""
    mode = {"constant_memory": True} if streaming else {"in_memory": True}
    return xlsxwriter.Workbook(
        buffer,
        {
            **mode,
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
    progress: Progress | None = None,
) -> bytes:
    """One worksheet per (name, frame), each headed by `title_lines` (period, filters);
    columns named in `percent_columns` are shown as percentages. `progress(done, total)` is
    called as rows are written."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, streaming=True)
    report = _Counter(sum(len(frame) for _, frame in sheets), progress)
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 12}),
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
    }
    for name, frame in sheets:
        sheet = workbook.add_worksheet(name[:31])
        write_frame(sheet, frame, title_lines, formats, report)
        for col, column in enumerate(frame.columns):
            if column in percent_columns:
                sheet.set_column(col, col, 10, formats["percent"])
    workbook.close()
    return buffer.getvalue()


class _Counter:
    """Rows written so far, reported to `progress` every PROGRESS_EVERY rows."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)


def write_frame(
    sheet: Worksheet,
    frame: pd.DataFrame,
    title_lines: list[str],
    formats: dict,
    report: _Counter | None = None,
) -> None:
    for row, line in enumerate(title_lines):
        sheet.write_string(row, 0, line, formats["title"])
    header_row = len(title_lines)
    for col, column in enumerate(frame.columns):
        sheet.write_string(header_row, col, str(column), formats["header"])
    rows = frame.itertuples(index=False, name=None)
    date_format = formats["date"]
    write_string = sheet.write_string  # most cells are text: skip one call for them
    for number, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values):
            if type(value) is str:
                write_string(number, col, value)
            else:
                write_cell(sheet, number, col, value, date_format)
        if report is not None and (number - header_row) % PROGRESS_EVERY == 0:
            report.add(PROGRESS_EVERY)
    if report is not None:
        report.add(len(frame) % PROGRESS_EVERY)
    for col, width in enumerate(column_widths(frame)):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(header_row + 1, 0)
    last_col = max(len(frame.columns) - 1, 0)
    sheet.autofilter(header_row, 0, header_row + len(frame), last_col)


def column_widths(frame: pd.DataFrame) -> list[int]:
    """Widths that fit the header and the longest value among the first rows (a sample is
    enough to size a column and keeps big sheets fast)."""
    sample = frame.head(WIDTH_SAMPLE_ROWS)
    widths = []
    for position, column in enumerate(frame.columns):
        values = [shown_width(v) for v in sample.iloc[:, position]]
        widths.append(max([display_width(str(column)), *values]))
    return widths


def shown_width(value: object) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, date):
        return 10
    return display_width(str(value))


def excel_serial(value: date) -> float:
    """Days since Excel's epoch (1899-12-30), with the time as a fraction."""
    serial = float(value.toordinal() - EXCEL_EPOCH_ORDINAL)
    if isinstance(value, datetime):
        serial += (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return serial


def write_cell(sheet: Worksheet, row: int, col: int, value: object, date_format: object) -> None:
    """Write one value by its type: text always as text, dates as real dates."""
    kind = type(value)
    if kind is str:
        sheet.write_string(row, col, value)  # type: ignore[arg-type]
    elif value is None or value is pd.NaT:
        return
    elif kind is bool:
        sheet.write_boolean(row, col, value)  # type: ignore[arg-type]
    elif kind is int or kind is float or kind is Decimal:
        if kind is float and math.isnan(value):  # type: ignore[arg-type]
            return
        sheet.write_number(row, col, float(value))  # type: ignore[arg-type]
    elif isinstance(value, date):  # date, datetime, pd.Timestamp
        sheet.write_number(row, col, excel_serial(value), date_format)
    elif isinstance(value, int | float):  # numpy numbers
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))
