"""Sections 九 and 十 of the bureau report (八 is 关爱成效, issue 17): the problems found and
the next steps, drafted from the figures. A conclusion is drawn only from what has ended:
nothing due or nothing ended yet → the report says so and concludes nothing; a 新建档 child is
not "从未联系"."""

from __future__ import annotations

from locales import t
from services.masking import mask_name
from services.reports.blocks import Block, Heading, Paragraph, Table, cn_date, pct, unit_header
from services.reports.data import ReportData

Charts = dict[str, bytes]
NOT_CONTACTED_LISTED = 30


def _compliance_problems(data: ReportData) -> str:
    c, unit = data.compliance, unit_header(data.by_school)
    if c.due == 0:
        return t("reports.doc.no_judgement_nothing_due")
    if c.ended_due == 0:
        return t("reports.doc.no_judgement_running", as_of=cn_date(data.as_of))
    below = data.below_target
    if below.empty:
        return t("reports.doc.no_below_target", unit=unit)
    names = "、".join(f"{u}（{pct(r)}）" for u, r in below.itertuples(index=False))
    return t("reports.doc.below_target", count=len(below), units=names)


def problems(data: ReportData, _charts: Charts, masked: bool) -> list[Block]:
    blocks: list[Block] = [Heading(t("reports.doc.h.problems"))]
    blocks.append(Paragraph(_compliance_problems(data)))
    gone = data.not_contacted
    settled = data.dashboard.heads.left_behind - data.new_children
    if not gone.empty:
        blocks.append(Paragraph(t("reports.doc.not_contacted", count=len(gone))))
        rows = [
            [
                mask_name(name) if masked else str(name),
                str(unit or ""),
                last.isoformat() if last else t("reports.doc.never"),
            ]
            for name, unit, last in gone[["name", "unit", "last_contact"]]
            .head(NOT_CONTACTED_LISTED)
            .itertuples(index=False)
        ]
        headers = [
            t("reports.col.child_name"),
            unit_header(data.by_school),
            t("reports.col.last_contact"),
        ]
        blocks.append(Table(headers, rows))
        if len(gone) > NOT_CONTACTED_LISTED:
            blocks.append(Paragraph(t("reports.doc.more", count=len(gone) - NOT_CONTACTED_LISTED)))
    elif settled > 0:
        blocks.append(Paragraph(t("reports.doc.all_contacted")))
    if data.new_children:
        blocks.append(Paragraph(t("reports.doc.new_children", count=data.new_children)))
    return blocks


def next_steps(data: ReportData, _charts: Charts, _masked: bool) -> list[Block]:
    d = data.dashboard
    steps: list[str] = []
    if d.archive.incomplete:
        steps.append(t("reports.doc.step.archive", count=d.archive.incomplete))
    if not data.below_target.empty:
        units = "、".join(str(u) for u in data.below_target["unit"])
        steps.append(t("reports.doc.step.compliance", units=units))
    if not data.not_contacted.empty:
        steps.append(t("reports.doc.step.contact", count=len(data.not_contacted)))
    if data.new_children:
        steps.append(t("reports.doc.step.new_children", count=data.new_children))
    unpaired = d.pairing.left_behind - d.pairing.paired_left_behind
    if unpaired:
        steps.append(t("reports.doc.step.pairing", count=unpaired))
    if d.pairing.overloaded_teachers:
        steps.append(t("reports.doc.step.load", teachers=d.pairing.overloaded_teachers))
    lb_rate, other_rate = d.participation.left_behind_rate, d.participation.other_rate
    if lb_rate is not None and other_rate is not None and lb_rate < other_rate:
        steps.append(t("reports.doc.step.activities"))
    h = data.health
    if h.term is not None and h.checked < h.children:
        steps.append(t("reports.doc.step.health", count=h.children - h.checked))
    steps.append(t("reports.doc.step.keep_on"))
    return [Heading(t("reports.doc.h.next"))] + [
        Paragraph(f"{i}. {text}") for i, text in enumerate(steps, start=1)
    ]
