"""The bureau report's page as an official document (公文) after GB/T 9704-2012, shared by the
.docx and the .pdf writers so both look alike.

A4 with the type area 156 × 225 mm (top 37, bottom 35, left 28, right 26 mm); 22 lines of 28
characters: 三号 (16 pt) text on an exact 28 pt line. The title 二号 (22 pt) 方正小标宋 centred;
in-text headings 一、 in 黑体 and （一） in 楷体, 三号 and indented like the text; the text 仿宋.
Page numbers "— 1 —" in 四号 (14 pt) 宋体 below the type area (the dashes 7 mm under it). At the
end the issuer and the date (7.3.5.2: the date two characters in from the right, its first
character two characters right of the issuer's).

The font names are the ones Chinese offices have; a machine without them substitutes its own
(the sizes and the lines stay), and the PDF embeds what this machine has (pdf_fonts.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    left: float
    right: float


PAGE_MM = (210.0, 297.0)
MARGINS_MM = Margins(top=37, bottom=35, left=28, right=26)
TYPE_WIDTH_MM = PAGE_MM[0] - MARGINS_MM.left - MARGINS_MM.right  # 156
PAGE_NUMBER_GAP_MM = 7  # the page number's dashes this far below the type area

TITLE_PT = 22.0  # 二号
TEXT_PT = 16.0  # 三号: headings and text
LINE_PT = 28.0  # exact line: 22 lines a page
INDENT_PT = 2 * TEXT_PT  # the first line of text and headings: two characters
PAGE_NUMBER_PT = 14.0  # 四号
TABLE_PT = 12.0  # 小四: tables fit the 156 mm width
CAPTION_PT = 14.0  # 四号

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"  # 一、
SUBHEADING_FONT = "楷体"  # （一）, and the line under the title
BODY_FONT = "仿宋"
PAGE_NUMBER_FONT = "宋体"


def page_number(number: int | str) -> str:
    return f"— {number} —"


def width_in_characters(text: str) -> float:
    """How many full-width characters `text` takes: Chinese 1, digits and Latin ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def closing_indents(issuer: str, issued: str) -> tuple[float, float]:
    """Right indents, in characters, of the issuer's line and the date's line (GB/T 9704
    7.3.5.2, no seal): the date two characters in from the right and starting two characters
    right of where the issuer starts; a longer issuer stays two characters in and moves the
    date left instead."""
    issuer_width, date_width = width_in_characters(issuer), width_in_characters(issued)
    issuer_right = 2 + date_width + 2 - issuer_width
    if issuer_right >= 2:
        return issuer_right, 2.0
    return 2.0, issuer_width - date_width


def column_shares(headers: list[str], rows: list[list[str]]) -> list[float]:
    """Each column's share of a table's width, after its widest cell (in characters, between 3
    and 12) so a class name is not broken while a column of numbers stays narrow."""
    widths = [
        min(max(max(width_in_characters(row[i]) for row in [headers, *rows]), 3.0), 12.0)
        for i in range(len(headers))
    ]
    return [width / sum(widths) for width in widths]
