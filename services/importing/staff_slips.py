"""The printable sheet of account slips (账号条) for the principal to cut and hand out: one slip
per new account with name, role, username and one-time password, ten to an A4 page, in the
embedded CJK font (services/reports/pdf_fonts.py). Downloading it is an audited export; the
passwords themselves never enter the audit log."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from sqlalchemy.orm import Session

from db.enums import AuditAction
from db.models import School
from locales import enum_label, t
from services import audit
from services.actor import Actor
from services.clock import school_today
from services.importing.plan import require_importer
from services.importing.staff_writer import Slip
from services.reports.pdf_fonts import cjk_font, style

SLIPS_PER_ROW, ROWS_PER_PAGE = 2, 5
MARGIN = 1.2 * cm
SLIP_WIDTH = (A4[0] - 2 * MARGIN) / SLIPS_PER_ROW
SLIP_HEIGHT = (A4[1] - 2 * MARGIN) / ROWS_PER_PAGE - 0.1 * cm
PASSWORD_FONT = "Courier-Bold"  # ASCII only; the alphabet has no look-alikes (0/O, 1/l/I)


def slips_pdf(school_name: str, slips: list[Slip]) -> bytes:
    """The slips as an A4 PDF, cut along the dashed lines."""
    styles = {
        "head": style("slip_head", 11, leading=15),
        "line": style("slip_line", 12, leading=18),
        "note": style("slip_note", 8.5, leading=11, textColor=colors.HexColor("#444444")),
    }
    cells = [_slip(school_name, slip, styles) for slip in slips] or [
        Paragraph(escape(t("staff.slip.empty")), styles["line"])
    ]
    rows = [cells[i : i + SLIPS_PER_ROW] for i in range(0, len(cells), SLIPS_PER_ROW)]
    rows[-1] += [""] * (SLIPS_PER_ROW - len(rows[-1]))
    table = Table(rows, colWidths=[SLIP_WIDTH] * SLIPS_PER_ROW, rowHeights=SLIP_HEIGHT)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.grey, None, (4, 3)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0.6 * cm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0.4 * cm),
            ]
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=t("staff.slip.title", school=school_name),
    ).build([table])
    return buffer.getvalue()


def _slip(school_name: str, slip: Slip, styles: dict) -> list[Paragraph]:
    password = f'<font name="{PASSWORD_FONT}" size="15">{escape(slip.one_time_password)}</font>'
    username = f'<font name="{PASSWORD_FONT}" size="13">{escape(slip.username)}</font>'
    return [
        Paragraph(escape(t("staff.slip.heading", school=school_name)), styles["head"]),
        Paragraph(
            escape(t("staff.slip.name", name=slip.name, role=enum_label(slip.role))),
            styles["line"],
        ),
        Paragraph(escape(t("staff.slip.username")) + username, styles["line"]),
        Paragraph(escape(t("staff.slip.password")) + password, styles["line"]),
        Paragraph(escape(t("staff.slip.note")), styles["note"]),
    ]


def slips_file_name(session: Session, actor: Actor) -> str:
    return t("staff.slip.file", school=_school_name(session, actor), day=school_today())


def export_slips(session: Session, actor: Actor, slips: list[Slip]) -> bytes:
    """The slips PDF, audited as an export (who, how many, which usernames; no passwords)."""
    require_importer(actor)
    school_name = _school_name(session, actor)
    data = slips_pdf(school_name, slips)
    file_name = slips_file_name(session, actor)
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        "staff_slips",
        None,
        after={"file": file_name, "slips": len(slips), "usernames": [s.username for s in slips]},
        detail=t("staff.slip.audit_detail", count=len(slips)),
    )
    return data


def _school_name(session: Session, actor: Actor) -> str:
    school = session.get(School, actor.school_id) if actor.school_id else None
    return school.name if school else ""
