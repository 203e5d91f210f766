"""Read an export back as a person would: the report's text (paragraphs, then table rows as
"a | b | c") and a workbook sheet as dicts, plus the patterns of the report's sentences."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from openpyxl import load_workbook


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts)


def docx_table(data: bytes, header: str) -> list[list[str]]:
    """The body rows of the report's first table whose header row starts with `header`."""
    for table in Document(io.BytesIO(data)).tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if " | ".join(rows[0]).startswith(header):
            return rows[1:]
    raise AssertionError(f"no table headed {header}")


def workbook_sheets(data: bytes) -> dict[str, list[dict]]:
    """Every sheet's rows as dicts keyed by its header row (the first row with more than one
    cell; the title lines above it have one)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = [r for r in sheet.iter_rows(values_only=True)]
        start = next(i for i, r in enumerate(rows) if sum(v is not None for v in r) > 1)
        header = rows[start]
        sheets[sheet.title] = [dict(zip(header, r, strict=False)) for r in rows[start + 1 :]]
    book.close()
    return sheets


def sheet_rows(data: bytes, name: str) -> list[dict]:
    return workbook_sheets(data)[name]


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def pct(part: int, whole: int) -> str:
    return "—" if not whole else f"{part / whole * 100:.1f}%"


def find(pattern: str, text: str) -> tuple[str, ...]:
    """The groups of the one match of `pattern` (a failing assert names the pattern)."""
    match = re.search(pattern, text)
    assert match, f"not in the report: {pattern}"
    return match.groups()


def numbers(pattern: str, text: str) -> tuple[int, ...]:
    return tuple(int(g) for g in find(pattern, text))
