"""The bureau report's content (DESIGN.md §8): title, subtitle, the ten sections in order and
the issuer and date it ends with, as blocks the .docx and .pdf writers render alike. Sections
一–七 state the figures (bureau_facts.py), 八 关爱成效 the growth record's (bureau_outcome.py,
issue 17); 九–十 draw conclusions from them (bureau_findings.py)."""

from __future__ import annotations

from locales import t
from services.reports import bureau_facts as facts
from services.reports import bureau_findings as findings
from services.reports.blocks import Block, ReportDocument, cn_date
from services.reports.bureau_outcome import outcome
from services.reports.data import ReportData


def subtitle(data: ReportData, scope: str, masked: bool) -> str:
    """Place, scope, period (截至 today while it runs), 生成日期 = the school's today."""
    so_far = t("reports.doc.so_far", as_of=cn_date(data.as_of)) if data.running else ""
    text = t(
        "reports.doc.subtitle",
        place=data.place,
        scope=scope or data.place,
        period=data.period.label,
        start=cn_date(data.period.start),
        end=cn_date(data.period.end),
        so_far=so_far,
        made=cn_date(data.as_of),
    )
    return text + (t("reports.doc.masked") if masked else "")


def build_document(
    data: ReportData, title: str, charts: dict[str, bytes], masked: bool, scope: str = ""
) -> ReportDocument:
    """Title, the ten sections and the charts, from `data`."""
    blocks: list[Block] = []
    for section in (
        facts.basic,
        facts.archive,
        facts.pairing,
        facts.contacts,
        facts.activities,
        facts.health,
        facts.aid,
        outcome,
    ):
        blocks.extend(section(data, charts))
    blocks.extend(findings.problems(data, charts, masked))
    blocks.extend(findings.next_steps(data, charts, masked))
    return ReportDocument(
        title=title,
        subtitle=subtitle(data, scope, masked),
        blocks=blocks,
        issuer=data.place,
        issued=cn_date(data.as_of),
    )
