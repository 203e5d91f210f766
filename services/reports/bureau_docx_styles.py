"""The 公文 page and styles of the bureau report's .docx (bureau_layout.py), set explicitly:
python-docx's default template would give a blue underlined Title, theme fonts and 2.54 cm
margins. Every style names its font for ASCII and East Asian text alike (w:rFonts ascii, hAnsi,
eastAsia), so Word, WPS and LibreOffice use the 公文 font or their own substitute for it."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from services.reports import bureau_layout as gw

TITLE, SUBTITLE, HEADING_1, HEADING_2, BODY = (
    "Gongwen Title",
    "Gongwen Subtitle",
    "Heading 1",
    "Heading 2",
    "Normal",
)
TABLE_TEXT, FIGURE, CAPTION, CLOSING, FOOTER = (
    "Gongwen Table",
    "Gongwen Figure",
    "Gongwen Caption",
    "Gongwen Closing",
    "Footer",
)


def set_up(doc: DocxDocument) -> None:
    """A4 with the 公文 margins, the styles, and "— N —" in the footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(gw.PAGE_MM[0]), Mm(gw.PAGE_MM[1])
    margins = gw.MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(margins.top), Mm(margins.bottom)
    section.left_margin, section.right_margin = Mm(margins.left), Mm(margins.right)
    # The footer's line (四号 ≈ 6 mm) ends here, its top 7 mm under the type area.
    section.footer_distance = Mm(margins.bottom - gw.PAGE_NUMBER_GAP_MM - 6)
    _defaults(doc)
    _styles(doc)
    _footer(section)


def _fonts(element, font: str) -> None:  # type: ignore[no-untyped-def]
    """`font` for every script on an rPr; theme fonts would win over it, so they go."""
    r_fonts = element.get_or_add_rFonts()
    for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        r_fonts.attrib.pop(qn(f"w:{name}"), None)
    for name in ("ascii", "hAnsi", "eastAsia", "cs"):
        r_fonts.set(qn(f"w:{name}"), font)


def _defaults(doc: DocxDocument) -> None:
    r_pr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr, gw.BODY_FONT)


def _style(doc: DocxDocument, name: str):  # type: ignore[no-untyped-def]
    """The style `name`, made when missing, emptied of the template's colours, fonts,
    borders and spacing (its outline level and keep-with-next stay)."""
    if name in [s.name for s in doc.styles]:
        style = doc.styles[name]
    else:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[BODY] if name != BODY else None
    element = style.element
    if element.rPr is not None:
        element.remove(element.rPr)
    p_pr = element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:spacing", "w:ind", "w:jc", "w:contextualSpacing", "w:tabs"):
        for child in p_pr.findall(qn(tag)):
            p_pr.remove(child)
    return style


def _paragraph(  # type: ignore[no-untyped-def]
    doc: DocxDocument,
    name: str,
    font: str,
    size: float,
    *,
    align=None,
    indent: float | None = None,
    line: float | None = gw.LINE_PT,
):
    style = _style(doc, name)
    _fonts(style.element.get_or_add_rPr(), font)
    style.font.size = Pt(size)
    style.font.bold = False
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line)
    fmt.first_line_indent = Pt(indent) if indent is not None else None
    fmt.alignment = align
    fmt.widow_control = True
    return style


def _styles(doc: DocxDocument) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        doc, BODY, gw.BODY_FONT, gw.TEXT_PT, indent=gw.INDENT_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY
    )
    title = _paragraph(doc, TITLE, gw.TITLE_FONT, gw.TITLE_PT, align=center, indent=0, line=36)
    title.paragraph_format.keep_with_next = True
    _paragraph(doc, SUBTITLE, gw.SUBHEADING_FONT, gw.TEXT_PT, align=center, indent=0)
    for name, font in ((HEADING_1, gw.HEADING_FONT), (HEADING_2, gw.SUBHEADING_FONT)):
        heading = _paragraph(doc, name, font, gw.TEXT_PT, indent=gw.INDENT_PT)
        heading.paragraph_format.keep_with_next = True
    left = WD_ALIGN_PARAGRAPH.LEFT
    _paragraph(doc, TABLE_TEXT, gw.BODY_FONT, gw.TABLE_PT, align=left, indent=0, line=None)
    _paragraph(doc, FIGURE, gw.BODY_FONT, gw.TEXT_PT, align=center, indent=0, line=None)
    _paragraph(doc, CAPTION, gw.SUBHEADING_FONT, gw.CAPTION_PT, align=center, indent=0)
    _paragraph(doc, CLOSING, gw.BODY_FONT, gw.TEXT_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    _paragraph(
        doc, FOOTER, gw.PAGE_NUMBER_FONT, gw.PAGE_NUMBER_PT, align=center, indent=0, line=None
    )


def _footer(section) -> None:  # type: ignore[no-untyped-def]
    """ "— N —": a PAGE field between two dashes, centred."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = FOOTER
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = gw.page_number("\0").split("\0")
    paragraph.add_run(before)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    paragraph._p.append(field)
    paragraph.add_run(after)
