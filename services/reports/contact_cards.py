"""Printable contact cards (联系卡) for one class: A4, two cards a page, one card per child.

Input is the roster frame of services/reports/workbook_data.py (already masked for masked variants).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from db.enums import Gender, LeftBehindType
from locales import enum_label, t
from locales.values import aside, labelled, value_label
from services.reports.pdf_fonts import cjk_font, style

CARDS_PER_PAGE = 2
CARD_WIDTH = A4[0] - 3 * cm


def _text(row: pd.Series, key: str) -> str:
    """The field as text; "" when it is empty (None, NaN, NaT, pd.NA: never "nan" on a card)."""
    value = row.get(key)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an age read back as 68.0
    return str(value).strip()


def _value(row: pd.Series, key: str) -> str:
    return _text(row, key) or t("reports.card.none")


def _parent(row: pd.Series, who: str) -> str:
    place = _text(row, f"{who}_work_detail")
    if not place:  # masked variants keep only the province and city
        place = "".join(_text(row, f"{who}_work_{p}") for p in ("province", "city"))
    parts = [_value(row, f"{who}_name"), _value(row, f"{who}_phone")]
    if place:
        parts.append(labelled(t("reports.card.works_at"), place))
    return "　".join(parts)


def _guardian(row: pd.Series) -> str:
    name = _value(row, "guardian_name")
    if relation := _text(row, "guardian_relation"):
        name += t("reports.card.relation", relation=value_label(relation))
    keys = ("guardian_age", "guardian_health", "guardian_education")
    values = (value_label(_text(row, k)) for k in keys)
    extras = [_value(row, "guardian_phone"), *filter(None, values)]
    return "　".join([name, *extras])


def _card(row: pd.Series, title: str, styles: dict) -> PdfTable:
    birth = _text(row, "birth_date")[:10] or "—"
    gender = enum_label(_text(row, "gender") or None, Gender) or "—"
    kind = enum_label(_text(row, "left_behind_type") or None, LeftBehindType)
    if _text(row, "is_key") == "True":
        kind = aside(kind, t("reports.card.key"))
    cells = [
        [
            t("reports.card.child"),
            _value(row, "name"),
            t("reports.card.class"),
            _value(row, "classroom"),
        ],
        [
            t("reports.card.gender_birth"),
            f"{gender} / {birth}",
            t("reports.card.type"),
            kind,
        ],
        [t("reports.card.father"), _parent(row, "father"), "", ""],
        [t("reports.card.mother"), _parent(row, "mother"), "", ""],
        [t("reports.card.guardian"), _guardian(row), "", ""],
        [
            t("reports.card.head_teacher"),
            _value(row, "head_teacher"),
            t("reports.card.paired"),
            _value(row, "paired_teachers"),
        ],
    ]
    data = [[PdfParagraph(escape(title), styles["card_title"]), "", "", ""]]
    data += [
        [PdfParagraph(escape(str(c)), styles["cell"]) for c in row_cells] for row_cells in cells
    ]
    widths = [2.6 * cm, CARD_WIDTH / 2 - 2.6 * cm, 2.6 * cm, CARD_WIDTH / 2 - 2.6 * cm]
    table = PdfTable(data, colWidths=widths, rowHeights=[1.2 * cm] + [1.6 * cm] * len(cells))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (1, 3), (-1, 3)),
                ("SPAN", (1, 4), (-1, 4)),
                ("SPAN", (1, 5), (-1, 5)),
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("INNERGRID", (0, 1), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#F2F2F2")),
                ("BACKGROUND", (2, 1), (2, 2), colors.HexColor("#F2F2F2")),
                ("BACKGROUND", (2, 6), (2, 6), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def render_contact_cards(roster: pd.DataFrame, title: str, card_title: str) -> bytes:
    """One card per row of `roster`, two to an A4 page."""
    styles = {
        "title": style("cards_title", 14, alignment=TA_CENTER, spaceAfter=8),
        "card_title": style("card_title", 13, alignment=TA_CENTER),
        "cell": style("card_cell", 10, leading=13),
    }
    story: list = []
    if roster.empty:
        story.append(PdfParagraph(escape(title), styles["title"]))
        story.append(PdfParagraph(escape(t("reports.card.empty")), styles["cell"]))
    for position, (_, row) in enumerate(roster.iterrows()):
        if position and position % CARDS_PER_PAGE == 0:
            story.append(PageBreak())
        story.append(KeepTogether([_card(row, card_title, styles), Spacer(1, 1.2 * cm)]))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=title,
    ).build(story)
    return buffer.getvalue()
