"""The bureau report as .pdf (reportlab), the same blocks as the .docx, with a CJK font."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from services.reports.blocks import Heading, Image, Paragraph, ReportDocument, Table
from services.reports.pdf_fonts import cjk_font, style

CONTENT_WIDTH = A4[0] - 5 * cm


def render_pdf(document: ReportDocument) -> bytes:
    styles = {
        "title": style("title", 18, alignment=TA_CENTER, spaceAfter=6),
        "subtitle": style("subtitle", 10, alignment=TA_CENTER, spaceAfter=12),
        "heading": style("heading", 14, spaceBefore=10, spaceAfter=6),
        "body": style("body", 11, firstLineIndent=22, spaceAfter=6),
        "cell": style("cell", 9, leading=12),
        "caption": style("caption", 9, alignment=TA_CENTER, spaceAfter=8),
    }
    story: list = [
        PdfParagraph(escape(document.title), styles["title"]),
        PdfParagraph(escape(document.subtitle), styles["subtitle"]),
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(PdfParagraph(escape(block.text), styles["heading"]))
        elif isinstance(block, Paragraph):
            story.append(PdfParagraph(escape(block.text), styles["body"]))
        elif isinstance(block, Table):
            story += [_table(block, styles["cell"]), Spacer(1, 8)]
        elif isinstance(block, Image):
            width = CONTENT_WIDTH
            story.append(PdfImage(io.BytesIO(block.png), width=width, height=width / 2))
            story.append(PdfParagraph(escape(block.caption), styles["caption"]))
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=document.title,
    )
    pdf.build(story)
    return buffer.getvalue()


def _table(block: Table, cell_style) -> PdfTable:  # type: ignore[no-untyped-def]
    data = [
        [PdfParagraph(escape(v), cell_style) for v in row] for row in [block.headers, *block.rows]
    ]
    table = PdfTable(
        data, colWidths=[CONTENT_WIDTH / len(block.headers)] * len(block.headers), repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table
