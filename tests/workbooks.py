"""Spreadsheets built in memory for the import tests, as a school's own file would be."""

from __future__ import annotations

import io

from openpyxl import Workbook


def xlsx_bytes(rows: list[list[object]], merges: tuple[str, ...] = (), **cells: object) -> bytes:
    """An .xlsx with `rows` from A1 down, the cell ranges in `merges` merged, and then single
    cells (`B2="…"`) set."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
