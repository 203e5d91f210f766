"""One function per export (DESIGN.md §8): bureau report .docx and .pdf, workbook .xlsx, contact
cards .pdf. Each checks the role, masks when it must, names its period and filters in the title
and file name, and writes an AuditEntry (export, filters, row count) in the caller's transaction.

Full detail only for principal and admin; the bureau always, and anyone in demo mode, gets the
masked variant (DESIGN.md §7: names 张*萍, phones 138****5678, no street address, no ID number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditAction, Role
from db.models import Classroom
from locales import t
from services import audit, permissions
from services.actor import Actor
from services.care.participation import participation_by_activity
from services.clock import school_now, school_today
from services.errors import NotAllowed
from services.masking import Kind, mask_frame
from services.metrics.compliance import compliance_frame
from services.metrics.dashboard import Dashboard, units
from services.metrics.scope import Scope
from services.metrics.scope import month_period as month_period  # the pages' period choices
from services.metrics.scope import term_period as term_period
from services.metrics.scope import year_period as year_period
from services.permissions import Action
from services.reports import workbook_data as wd
from services.reports.blocks import ReportDocument
from services.reports.bureau_content import build_document
from services.reports.bureau_docx import render_docx
from services.reports.bureau_pdf import render_pdf
from services.reports.charts import render_png
from services.reports.contact_cards import render_contact_cards
from services.reports.data import (
    ReportData,
    ReportFilters,
    ReportPeriod,
    gather_report_data,
    place_name,
)
from services.reports.workbook import WorkbookFrames, build_workbook

REPORT_ROLES = permissions.roles_with(Action.EXPORT_MASKED)
FULL_DETAIL_ROLES = permissions.roles_with(Action.EXPORT_FULL)
FigureBuilder = Callable[[Dashboard], dict[str, go.Figure]]

ROSTER_MASK = {
    "name": Kind.NAME,
    "father_name": Kind.NAME,
    "mother_name": Kind.NAME,
    "guardian_name": Kind.NAME,
    "father_phone": Kind.PHONE,
    "mother_phone": Kind.PHONE,
    "guardian_phone": Kind.PHONE,
    "father_work_detail": Kind.ADDRESS,
    "mother_work_detail": Kind.ADDRESS,
    "village": Kind.ADDRESS,
    "student_no": Kind.ID_NUMBER,
}
LIST_MASK = {
    "child_name": Kind.NAME,
    "summary": Kind.ADDRESS,
    "concerns": Kind.ADDRESS,
    "note": Kind.ADDRESS,
    "goal": Kind.ADDRESS,
}


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    data: bytes
    rows: int
    masked: bool


def is_masked(actor: Actor, demo_mode: bool = False) -> bool:
    """Masked unless a principal or admin asks outside demo mode."""
    return demo_mode or not permissions.allows(actor, Action.EXPORT_FULL)


def require_reporter(actor: Actor) -> None:
    permissions.require(actor, Action.EXPORT_MASKED)


def filters_label(session: Session, actor: Actor, filters: ReportFilters) -> str:
    """The scope in words: a class name, a grade, or the whole school / county."""
    if filters.classroom_id is not None:
        name = session.scalar(select(Classroom.name).where(Classroom.id == filters.classroom_id))
        return name or ""
    if filters.grade is not None:
        return t("reports.filter.grade", grade=filters.grade)
    return whole_scope(actor)


def whole_scope(actor: Actor) -> str:
    """No class or grade chosen: the whole county for the bureau, else the whole school."""
    return t("reports.all_county") if actor.role == Role.BUREAU else t("reports.all_school")


def _file_name(
    place: str, what: str, period: ReportPeriod, scope: str, masked: bool, ext: str
) -> str:
    parts = [place, t(f"reports.file.{what}"), period.label]
    if scope not in (t("reports.all_school"), t("reports.all_county")):
        parts.append(scope)
    if masked:
        parts.append(t("reports.masked_suffix"))
    return "_".join(p for p in parts if p).replace("/", "-") + ext


EXTENSIONS = {"workbook": ".xlsx", "cards": ".pdf", "bureau_docx": ".docx", "bureau_pdf": ".pdf"}


def export_file_name(
    session: Session,
    actor: Actor,
    report: str,
    period: ReportPeriod,
    filters: ReportFilters | None = None,
    demo_mode: bool = False,
) -> str:
    """The file name an export will have (known before it is built, for the download button)."""
    filters = filters or ReportFilters()
    scope = filters_label(session, actor, filters)
    what = report.removesuffix("_docx").removesuffix("_pdf")
    masked = is_masked(actor, demo_mode)
    return _file_name(place_name(session, actor), what, period, scope, masked, EXTENSIONS[report])


@dataclass(frozen=True)
class _ExportOf:
    """What an export is of: the report, its period and filters (`scope` their label), masked?"""

    report: str
    period: ReportPeriod
    filters: ReportFilters
    scope: str
    masked: bool


def _audit(session: Session, actor: Actor, of: _ExportOf, export: ExportFile) -> None:
    report, period, filters, scope = of.report, of.period, of.filters, of.scope
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        f"report:{report}",
        None,
        after={
            "report": report,
            "file": export.file_name,
            "period": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "filters": {
                "grade": filters.grade,
                "classroom_id": filters.classroom_id,
                "scope": scope,
            },
            "masked": export.masked,
            "rows": export.rows,
        },
        detail=t(
            "reports.audit_detail",
            report=t(f"reports.file.{report}"),
            period=period.label,
            filters=scope,
            rows=export.rows,
            masked=t("reports.audit_masked") if export.masked else "",
        ),
    )


def _exported(
    session: Session, actor: Actor, of: _ExportOf, place: str, ext: str, data: bytes, rows: int
) -> ExportFile:
    """The finished export, named after what it is of, with its audit entry written."""
    name = _file_name(place, of.report, of.period, of.scope, of.masked, ext)
    export = ExportFile(name, data, rows, of.masked)
    _audit(session, actor, of, export)
    return export


def _title_lines(
    actor: Actor, title: str, period: ReportPeriod, scope: str, masked: bool
) -> list[str]:
    lines = [
        title,
        t("reports.title_period", start=period.start.isoformat(), end=period.end.isoformat()),
        t("reports.title_filters", filters=scope),
        t(
            "reports.title_made",
            when=school_now().strftime("%Y-%m-%d %H:%M"),
            who=actor.display_name,
        ),
    ]
    if masked:
        lines.append(t("reports.title_masked"))
    return lines


def compliance_sheet(
    session: Session,
    actor: Actor,
    scope: Scope,
    period: ReportPeriod,
    as_of: date,
    by_school: bool,
) -> pd.DataFrame:
    """各班各月达标率: the dashboard's heat map cells (per class or school and month), with the
    running month's open contacts; the rate counts ended rule-periods only."""
    place, _owner = units(by_school)
    frame = compliance_frame(session, actor, scope, period, as_of, (place, "month"))
    frame = frame.rename(columns={f"{place}_name": place, "open": "pending"})
    return frame[[place, "month", "due", "met", "overdue", "pending", "rate"]]


def export_workbook(
    session: Session,
    actor: Actor,
    period: ReportPeriod,
    filters: ReportFilters | None = None,
    demo_mode: bool = False,
    as_of: date | None = None,
) -> ExportFile:
    """The workbook (.xlsx) for the period and scope, seen on `as_of` (the school's today)."""
    require_reporter(actor)
    filters = filters or ReportFilters()
    as_of = as_of or school_today()
    masked = is_masked(actor, demo_mode)
    scope = filters_label(session, actor, filters)
    args = (session, actor, filters.scope, period, as_of)
    frames = WorkbookFrames(
        roster=wd.roster_frame(*args),
        contacts=wd.contacts_frame(*args),
        compliance=compliance_sheet(*args, by_school=actor.role == Role.BUREAU),
        activities=participation_by_activity(session, actor, period.start, period.cut(as_of)),
        participation=wd.participation_frame(*args),
        pairings=wd.pairings_frame(*args),
    )
    if actor.role != Role.BUREAU:
        frames.roster = frames.roster.drop(columns=["school"])
    if masked:
        frames.roster = mask_frame(frames.roster, ROSTER_MASK).drop(columns=["student_no"])
        for name in ("contacts", "participation", "pairings"):
            frame = mask_frame(getattr(frames, name), LIST_MASK)
            setattr(
                frames,
                name,
                frame.drop(columns=[c for c in LIST_MASK if c in frame and c != "child_name"]),
            )
    place = place_name(session, actor)
    title = t("reports.workbook_title", place=place, period=period.label)
    data = build_workbook(frames, _title_lines(actor, title, period, scope, masked))
    rows = sum(
        len(f)
        for f in (
            frames.roster,
            frames.contacts,
            frames.compliance,
            frames.activities,
            frames.participation,
            frames.pairings,
        )
    )
    file = _ExportOf("workbook", period, filters, scope, masked)
    return _exported(session, actor, file, place, ".xlsx", data, rows)


def export_contact_cards(
    session: Session,
    actor: Actor,
    period: ReportPeriod,
    classroom_id: int,
    demo_mode: bool = False,
) -> ExportFile:
    """Contact cards (.pdf) of one class, one card per enrolled child."""
    require_reporter(actor)
    if actor.role == Role.BUREAU:
        raise NotAllowed("contact cards are for the school")
    filters = ReportFilters(classroom_id=classroom_id)
    masked = is_masked(actor, demo_mode)
    scope = filters_label(session, actor, filters)
    roster = wd.roster_frame(session, actor, filters.scope, period, school_today())
    if masked:
        roster = mask_frame(roster, ROSTER_MASK)
    place = place_name(session, actor)
    title = t("reports.cards_title", place=place, classroom=scope)
    data = render_contact_cards(roster, title, t("reports.card.heading", place=place))
    file = _ExportOf("cards", period, filters, scope, masked)
    return _exported(session, actor, file, place, ".pdf", data, len(roster))


def _bureau_document(
    session: Session,
    actor: Actor,
    period: ReportPeriod,
    filters: ReportFilters,
    demo_mode: bool,
    figures: FigureBuilder | None,
    as_of: date | None,
):  # type: ignore[no-untyped-def]
    require_reporter(actor)
    masked = is_masked(actor, demo_mode)
    data: ReportData = gather_report_data(session, actor, period, filters, as_of)
    scope = filters_label(session, actor, filters)
    charts = render_png(figures(data.dashboard)) if figures else {}
    title = t("reports.bureau_title", place=data.place, period=period.label)
    document = build_document(data, title, charts, masked, scope)
    rows = len(data.units) + len(data.compliance_by_unit) + len(data.not_contacted)
    return data, document, scope, masked, rows


def _export_bureau(
    session: Session,
    actor: Actor,
    period: ReportPeriod,
    filters: ReportFilters | None = None,
    demo_mode: bool = False,
    figures: FigureBuilder | None = None,
    as_of: date | None = None,
    *,
    suffix: str,
    render: Callable[[ReportDocument], bytes],
) -> ExportFile:
    """One bureau report, rendered by `render` into the `suffix` format, named and audited."""
    filters = filters or ReportFilters()
    data, document, scope, masked, rows = _bureau_document(
        session, actor, period, filters, demo_mode, figures, as_of
    )
    file = _ExportOf("bureau", period, filters, scope, masked)
    return _exported(session, actor, file, data.place, suffix, render(document), rows)


# The bureau report as .docx (the school edits it afterwards) and the same report as .pdf,
# with an embedded Chinese font; both take _export_bureau's arguments.
export_bureau_docx = partial(_export_bureau, suffix=".docx", render=render_docx)
export_bureau_pdf = partial(_export_bureau, suffix=".pdf", render=render_pdf)


def classroom_choices(session: Session, actor: Actor) -> dict[int, str]:
    """id → name of the classes of the actor's school (for the scope and contact-card pickers)."""
    require_reporter(actor)
    if actor.school_id is None:
        return {}
    rows = session.execute(
        select(Classroom.id, Classroom.name)
        .where(Classroom.school_id == actor.school_id, Classroom.deleted_at.is_(None))
        .order_by(Classroom.grade, Classroom.number)
    )
    return {room_id: name for room_id, name in rows}
