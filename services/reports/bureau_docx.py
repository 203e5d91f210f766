"""The bureau report as .docx (python-docx), rendered from services/reports/bureau_content.py.

Chinese text uses 宋体/黑体 as the East Asian font so Word, WPS and LibreOffice pick a CJK face.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from services.reports.blocks import Heading, Image, Paragraph, ReportDocument, Table

BODY_FONT, HEADING_FONT = "宋体", "黑体"


def _east_asian(style, font: str, size: float | None = None, bold: bool | None = None) -> None:  # type: ignore[no-untyped-def]
    style.font.name = font
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    r_pr = style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def render_docx(document: ReportDocument) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    _east_asian(doc.styles["Normal"], BODY_FONT, 12)
    _east_asian(doc.styles["Title"], HEADING_FONT, 20, True)
    _east_asian(doc.styles["Heading 1"], HEADING_FONT, 15, True)
    _east_asian(doc.styles["Caption"], BODY_FONT, 10)
    doc.core_properties.title = document.title
    title = doc.add_paragraph(document.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = doc.add_paragraph(document.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in document.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style="Heading 1")
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(24)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Image):
            doc.add_picture(io.BytesIO(block.png), width=Cm(16))
            caption = doc.add_paragraph(block.caption, style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table(doc, block: Table) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = "Table Grid"
    for col, header in enumerate(block.headers):
        cell = table.cell(0, col)
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for row_index, row in enumerate(block.rows, start=1):
        cells = table.rows[row_index].cells
        for col, value in enumerate(row):
            cells[col].text = value
    doc.add_paragraph()
