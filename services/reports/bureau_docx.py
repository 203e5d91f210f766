"""The bureau report as .docx (python-docx), rendered from services/reports/bureau_content.py as
an official document (公文): the page and styles are bureau_docx_styles.py; this writes the
title, the line under it, the sections, plain tables and the charts, then the issuer and date."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from services.reports import bureau_docx_styles as styles
from services.reports import bureau_layout as gw
from services.reports.blocks import Heading, Image, Paragraph, ReportDocument, Table

FIGURE_WIDTH_MM = 150  # inside the 156 mm type area


def render_docx(document: ReportDocument) -> bytes:
    doc = Document()
    styles.set_up(doc)
    doc.core_properties.title = document.title
    doc.add_paragraph(document.title, style=styles.TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(document.subtitle, style=styles.SUBTITLE)
    doc.add_paragraph(style=styles.BODY)  # a blank line before the text
    following = [*document.blocks[1:], None]
    for block, after in zip(document.blocks, following, strict=True):
        if isinstance(block, Heading):
            level = styles.HEADING_2 if block.level >= 2 else styles.HEADING_1
            doc.add_paragraph(block.text, style=level)
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(block.text, style=styles.BODY)
            # "…如下：" stays with the table or chart it introduces
            paragraph.paragraph_format.keep_with_next = isinstance(after, Table | Image) or None
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Image):
            figure = doc.add_paragraph(style=styles.FIGURE)
            figure.paragraph_format.keep_with_next = True
            figure.add_run().add_picture(io.BytesIO(block.png), width=Mm(FIGURE_WIDTH_MM))
            doc.add_paragraph(block.caption, style=styles.CAPTION)
    _closing(doc, document)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table(doc, block: Table) -> None:  # type: ignore[no-untyped-def]
    """A plain grid: thin black lines, the header row in 黑体 and repeated on each page."""
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(gw.TYPE_WIDTH_MM * share) for share in gw.column_shares(block.headers, block.rows)]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row_index, values in enumerate([block.headers, *block.rows]):
        for cell, value, width in zip(table.rows[row_index].cells, values, widths, strict=False):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = styles.TABLE_TEXT
            run = paragraph.add_run(value)
            if row_index == 0:
                run.font.name = gw.HEADING_FONT
                r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
                r_fonts.set(qn("w:eastAsia"), gw.HEADING_FONT)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    _cell_margins(table._tbl.tblPr)
    doc.add_paragraph(style=styles.BODY)


def _cell_margins(tbl_pr) -> None:  # type: ignore[no-untyped-def]
    """A little air above and below the text in every cell (Table Grid has none)."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 30), ("left", 80), ("bottom", 30), ("right", 80)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = tbl_pr.find(qn("w:tblLook"))  # the schema's order: tblCellMar before tblLook
    if look is None:
        tbl_pr.append(margins)
    else:
        look.addprevious(margins)


def _closing(doc, document: ReportDocument) -> None:  # type: ignore[no-untyped-def]
    """The issuer and, under it, the date, after a blank line (GB/T 9704 7.3.5.2)."""
    if not (document.issuer or document.issued):
        return
    doc.add_paragraph(style=styles.BODY)
    issuer_right, date_right = gw.closing_indents(document.issuer, document.issued)
    for text, right in ((document.issuer, issuer_right), (document.issued, date_right)):
        line = doc.add_paragraph(text, style=styles.CLOSING)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.right_indent = Pt(right * gw.TEXT_PT)
        line.paragraph_format.keep_together = True
