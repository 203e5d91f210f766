"""The bureau report as .pdf (reportlab): the same blocks and the same 公文 layout as the .docx
(bureau_layout.py) — A4, the 公文 margins, the title and 一、 headings in a heavier face, the
text on an exact 28 pt line, "— N —" under every page, the issuer and date at the end — with
the fonts this machine can embed (pdf_fonts.gongwen_faces)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, TableStyle
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from services.reports import bureau_layout as gw
from services.reports.blocks import Heading, Image, Paragraph, ReportDocument, Table
from services.reports.pdf_fonts import a4_pdf, gongwen_faces, style

TYPE_WIDTH = gw.TYPE_WIDTH_MM * mm
FIGURE_WIDTH = 150 * mm
LEAD_IN_ROOM = gw.LINE_PT + 4 * 2 * gw.TABLE_PT  # a line of text, the header and three rows
_M = gw.MARGINS_MM
MARGINS = (_M.top * mm, _M.right * mm, _M.bottom * mm, _M.left * mm)


def _styles() -> dict:
    faces, text, line, indent = gongwen_faces(), gw.TEXT_PT, gw.LINE_PT, gw.INDENT_PT
    heavy, kai, body, cell = faces.heading, faces.kai, faces.body, gw.TABLE_PT
    return {
        "title": style("gw_title", gw.TITLE_PT, 36, heavy, alignment=TA_CENTER),
        "subtitle": style("gw_subtitle", text, line, kai, alignment=TA_CENTER),
        "h1": style("gw_h1", text, line, heavy, firstLineIndent=indent, keepWithNext=1),
        "h2": style("gw_h2", text, line, kai, firstLineIndent=indent, keepWithNext=1),
        "body": style("gw_body", text, line, body, firstLineIndent=indent, alignment=TA_JUSTIFY),
        "cell": style("gw_cell", cell, cell * 1.4, body),
        "head": style("gw_head", cell, cell * 1.4, heavy),
        "caption": style("gw_caption", gw.CAPTION_PT, line, kai, alignment=TA_CENTER),
        "closing": style("gw_closing", text, line, body, alignment=TA_RIGHT),
    }


def render_pdf(document: ReportDocument) -> bytes:
    styles = _styles()

    def text(value: str, name: str) -> PdfParagraph:
        return PdfParagraph(escape(value), styles[name])

    story: list = [
        text(document.title, "title"),
        text(document.subtitle, "subtitle"),
        Spacer(1, gw.LINE_PT),
    ]
    following = [*document.blocks[1:], None]
    for block, after in zip(document.blocks, following, strict=True):
        if isinstance(block, Heading):
            story.append(text(block.text, "h2" if block.level >= 2 else "h1"))
        elif isinstance(block, Paragraph):
            # "…如下：" starts a new page unless its table's first rows fit under it
            if isinstance(after, Table):
                story.append(CondPageBreak(LEAD_IN_ROOM))
            story.append(text(block.text, "body"))
            story[-1].keepWithNext = isinstance(after, Image)
        elif isinstance(block, Table):
            story += [_table(block, styles), Spacer(1, gw.LINE_PT)]
        elif isinstance(block, Image):
            picture = PdfImage(io.BytesIO(block.png), width=FIGURE_WIDTH, height=FIGURE_WIDTH / 2)
            story.append(KeepTogether([picture, text(block.caption, "caption")]))
    story += _closing(document, styles["closing"])
    return a4_pdf(story, document.title, MARGINS, _page_number)  # type: ignore[arg-type]


def _closing(document: ReportDocument, closing) -> list:  # type: ignore[no-untyped-def]
    """The issuer and the date under it, after a blank line (GB/T 9704 7.3.5.2)."""
    if not (document.issuer or document.issued):
        return []
    issuer_right, date_right = gw.closing_indents(document.issuer, document.issued)
    lines = [
        PdfParagraph(
            escape(value), closing.clone(f"gw_closing_{i}", rightIndent=right * gw.TEXT_PT)
        )
        for i, (value, right) in enumerate(
            ((document.issuer, issuer_right), (document.issued, date_right))
        )
    ]
    return [Spacer(1, gw.LINE_PT), KeepTogether(lines)]


def _page_number(canvas, doc) -> None:  # type: ignore[no-untyped-def]
    """ "— N —" centred, its top 7 mm under the type area."""
    size = gw.PAGE_NUMBER_PT
    baseline = (gw.MARGINS_MM.bottom - gw.PAGE_NUMBER_GAP_MM) * mm - size * 0.85
    canvas.saveState()
    canvas.setFont(gongwen_faces().body, size)
    canvas.drawCentredString(doc.pagesize[0] / 2, baseline, gw.page_number(doc.page))
    canvas.restoreState()


def _table(block: Table, styles: dict) -> PdfTable:
    """A plain grid: thin black lines, the header row in the heading face, repeated."""
    rows = [[PdfParagraph(escape(v), styles["head"]) for v in block.headers]]
    rows += [[PdfParagraph(escape(v), styles["cell"]) for v in row] for row in block.rows]
    widths = [TYPE_WIDTH * share for share in gw.column_shares(block.headers, block.rows)]
    table = PdfTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table
