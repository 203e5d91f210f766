"""Reading the audit log: filter and export for the administrator and the principal.

Only reads here (plus the audit row every export writes); the log itself is append-only — the
database refuses UPDATE, DELETE, REPLACE and TRUNCATE on audit_entries (triggers, migrations 0001
and 0005) — and hash-chained: `verify_audit_chain` (操作日志完整性) finds the first broken link.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from db.enums import AuditAction, Role
from db.models import AuditEntry
from locales import enum_label, t
from services import audit, permissions
from services.actor import Actor
from services.ops import audit_sentences
from services.permissions import Action

VIEWER_ROLES = permissions.roles_with(Action.VIEW_AUDIT)
COLUMNS = [
    "id",
    "at",
    "username",
    "role",
    "action",
    "entity",
    "entity_id",
    "ok",
    "before",
    "after",
    "detail",
]
# What the page shows: when, and the entry as a sentence (who did what to which record).
SHOWN = ["at_minute", "sentence", "result"]
MAX_EXPORT_ROWS = 200_000
CST = timedelta(hours=8)
# Characters that make Excel/LibreOffice treat a CSV cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """who (username contains), what (actions), when (dates, inclusive), which entity."""

    username: str = ""
    actions: tuple[AuditAction, ...] = ()
    entity: str = ""
    entity_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    only_failures: bool = False

    def describe(self) -> str:
        """The filter as JSON, for the export's audit row and file."""
        values = {k: v for k, v in asdict(self).items() if v not in ("", (), None, False)}
        return json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)


@dataclass(frozen=True)
class AuditPage:
    total: int
    rows: pd.DataFrame


def local_today() -> date:
    """Today in China Standard Time, the schools' clock."""
    return (datetime.now(UTC) + CST).date()


def list_entities(session: Session, actor: Actor) -> list[str]:
    """Entity names in the actor's part of the log over the last 90 days (the filter's choices;
    bounded so the index on (school_id, at) keeps this cheap on a large log)."""
    permissions.require(actor, Action.VIEW_AUDIT, needs_school=True)
    since = datetime.now(UTC) - timedelta(days=90)
    query = (
        select(AuditEntry.entity)
        .where(
            AuditEntry.school_id == actor.school_id,
            AuditEntry.at >= since,
            AuditEntry.entity.is_not(None),
        )
        .distinct()
        .order_by(AuditEntry.entity)
    )
    return list(session.scalars(query))


def verify_audit_chain(session: Session, actor: Actor) -> audit.ChainCheck:
    """操作日志完整性, administrators only: walk the whole chain (every school's entries: one
    chain per database) and report the first broken link, or that every entry verified."""
    permissions.require(actor, Action.VERIFY_AUDIT)
    return audit.check_chain(session)


def list_audit_entries(
    session: Session, actor: Actor, flt: AuditFilter, limit: int = 200, offset: int = 0
) -> AuditPage:
    """One page of matching entries, newest first, and how many match in all.

    Columns are COLUMNS (action and role hold display names in the current language) and
    SHOWN: the minute, the sentence (王老师（班主任）修改了 儿童档案 张阳 的 …) and the result.
    """
    permissions.require(actor, Action.VIEW_AUDIT, needs_school=True)
    query = _filtered(select(AuditEntry), actor, flt)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    ).all()
    frame = _frame(entries, session, actor)
    frame["at_minute"] = frame["at"].str.slice(0, 16)
    frame["result"] = [t("audit.ok") if e.ok else t("audit.failed") for e in entries]
    return AuditPage(total, frame)


def export_audit_entries(session: Session, actor: Actor, flt: AuditFilter, fmt: str) -> bytes:
    """The matching entries as CSV or XLSX bytes (headers in the current language); the
    export itself is audited."""
    permissions.require(actor, Action.VIEW_AUDIT, needs_school=True)
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    query = _filtered(select(AuditEntry), actor, flt).order_by(AuditEntry.at, AuditEntry.id)
    frame = _frame(session.scalars(query.limit(MAX_EXPORT_ROWS)).all(), session, actor)
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        "audit_entry",
        None,
        detail=f"{fmt} rows={len(frame)} filter={flt.describe()}",
    )
    exported = [*COLUMNS, "sentence"]  # the raw fields (no secrets) and the entry in words
    frame = frame[exported].rename(columns={c: t(f"accounts.col.{c}") for c in exported})
    return to_csv(frame) if fmt == "csv" else to_xlsx(frame)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens Chinese correctly); no cell can run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_csv_safe(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """One sheet, frozen header, filters; strings are never turned into formulas."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        frame.to_excel(writer, sheet_name="audit", index=False)
        sheet = writer.sheets["audit"]
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        for col, width in enumerate((8, 20, 14, 12, 14, 16, 9, 6, 40, 40, 30, 60)):
            sheet.set_column(col, col, width)
    return buffer.getvalue()


def _filtered(query: Select, actor: Actor, flt: AuditFilter) -> Select:
    query = query.where(AuditEntry.school_id == actor.school_id)
    if flt.username.strip():
        needle = flt.username.strip().lower()
        query = query.where(func.lower(AuditEntry.username).contains(needle, autoescape=True))
    if flt.actions:
        query = query.where(AuditEntry.action.in_(flt.actions))
    if flt.entity:
        query = query.where(AuditEntry.entity == flt.entity)
    if flt.entity_id is not None:
        query = query.where(AuditEntry.entity_id == flt.entity_id)
    if flt.date_from is not None:
        query = query.where(AuditEntry.at >= _day_start(flt.date_from))
    if flt.date_to is not None:
        query = query.where(AuditEntry.at < _day_start(flt.date_to + timedelta(days=1)))
    if flt.only_failures:
        query = query.where(AuditEntry.ok.is_(False))
    return query


def _day_start(day: date) -> datetime:
    # Days are taken in China Standard Time (UTC+8), the schools' clock.
    return datetime.combine(day, time(0), tzinfo=UTC) - CST


def _frame(entries: list[AuditEntry], session: Session, actor: Actor) -> pd.DataFrame:
    """COLUMNS, and the entry as a sentence (王老师（班主任）修改了 儿童档案 张阳 的 …)."""
    rows = [
        {
            "id": e.id,
            "at": _local(e.at),
            "username": e.username or "",
            "role": enum_label(e.role, Role) if e.role else "",
            "action": enum_label(e.action, AuditAction),
            "entity": e.entity or "",
            "entity_id": e.entity_id,
            "ok": bool(e.ok),
            "before": _json(audit_sentences.without_secrets(e.before)),
            "after": _json(audit_sentences.without_secrets(e.after)),
            "detail": e.detail or "",
        }
        for e in entries
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["entity_id"] = frame["entity_id"].astype("Int64")
    names = audit_sentences.names_for(session, entries)
    frame["sentence"] = [
        t(
            "audit.line",
            who=audit_sentences.who(e, names),
            what=audit_sentences.sentence(e, names, actor.sees_masked),
        )
        for e in entries
    ]
    return frame


def _local(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment + CST).strftime("%Y-%m-%d %H:%M:%S")


def _json(value: Any) -> str:
    return "" if not value else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _csv_safe(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
