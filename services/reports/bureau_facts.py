"""Sections 一 to 七 of the bureau report: the facts, drafted in Chinese from ReportData. Every
number printed here is a field of a metrics figure; nothing is counted in this module."""

from __future__ import annotations

import pandas as pd

from db.enums import ActivityType, AidKind
from locales import CN_NUMERALS, enum_label, t
from services.metrics.records import CALL_CHANNELS, VISIT_CHANNELS, channel_total
from services.metrics.scope import share
from services.reports.blocks import (
    Block,
    Heading,
    Paragraph,
    Table,
    chart,
    cn_date,
    money,
    pct,
    unit_header,
    unit_name,
)
from services.reports.data import ReportData

Charts = dict[str, bytes]
MIX_COLUMNS = ("children", "left_behind", "left_share", "both", "one_parent")


def basic(data: ReportData, charts: Charts) -> list[Block]:
    h = data.dashboard.heads
    text = t(
        "reports.doc.basic",
        as_of=cn_date(data.as_of),
        place=data.place,
        children=h.children,
        left_behind=h.left_behind,
        left_share=pct(h.left_behind_share),
        both=h.both_parents_away,
        both_share=pct(h.both_parents_share),
        one=h.one_parent_away,
        one_share=pct(h.one_parent_share),
        key_children=h.key_children,
    )
    if data.by_school:
        text += t("reports.doc.schools", schools=data.schools)
    blocks: list[Block] = [Heading(t("reports.doc.h.basic")), Paragraph(text)]
    if not data.grades.empty:
        grades = data.grades.assign(
            unit=[t("reports.grade", cn=CN_NUMERALS[int(g)], n=int(g)) for g in data.grades.unit]
        )
        blocks += [Paragraph(t("reports.doc.by_grade")), _mix_table(grades, t("reports.col.grade"))]
    header = unit_header(data.by_school)
    blocks += [Paragraph(t("reports.doc.by_unit", unit=header)), _mix_table(data.units, header)]
    return blocks + chart(charts, "left_behind_by_grade")


def _mix_table(frame: pd.DataFrame, first: str) -> Table:
    rows = [
        [unit_name(r.unit), str(r.children), str(r.left_behind),
         pct(share(r.left_behind, r.children)), str(r.both), str(r.one_parent)]
        for r in frame.itertuples()
    ]  # fmt: skip
    total = {c: int(frame[c].sum()) for c in ("children", "left_behind", "both", "one_parent")}
    rows.append(
        [t("reports.col.total"), str(total["children"]), str(total["left_behind"]),
         pct(share(total["left_behind"], total["children"])), str(total["both"]),
         str(total["one_parent"])]
    )  # fmt: skip
    return Table([first, *(t(f"reports.col.{c}") for c in MIX_COLUMNS)], rows)


def archive(data: ReportData, _charts: Charts) -> list[Block]:
    a = data.dashboard.archive
    blocks: list[Block] = [Heading(t("reports.doc.h.archive"))]
    if a.left_behind == 0:
        return [*blocks, Paragraph(t("reports.doc.archive_none"))]
    text = t(
        "reports.doc.archive", archived=a.complete, left_behind=a.left_behind, rate=pct(a.rate)
    )
    if a.incomplete:
        text += t("reports.doc.archive_missing", missing=a.incomplete)
    else:
        text += t("reports.doc.archive_complete")
    blocks.append(Paragraph(text))
    if not data.missing_fields.empty:
        rows = [
            [t(f"import.field.{f.removesuffix('_id')}"), str(n)]
            for f, n in data.missing_fields.itertuples(index=False)
        ]
        blocks.append(Table([t("reports.col.field"), t("reports.col.missing")], rows))
    return blocks


def pairing(data: ReportData, _charts: Charts) -> list[Block]:
    p = data.dashboard.pairing
    text = t(
        "reports.doc.pairing",
        paired=p.paired_left_behind,
        left_behind=p.left_behind,
        coverage=pct(p.coverage),
        teachers=p.teachers,
        pairs=p.pairs,
        average="—" if p.average_load is None else f"{p.average_load:.1f}",
        max_load=p.max_load,
        key_paired=p.paired_key,
        key_children=p.key_children,
        key_coverage=pct(p.key_coverage),
    )
    if p.overloaded_teachers:
        text += t("reports.doc.overloaded", teachers=p.overloaded_teachers)
    return [Heading(t("reports.doc.h.pairing")), Paragraph(text)]


def _compliance_rows(frame: pd.DataFrame, name_column: str) -> list[list[str]]:
    return [
        [unit_name(r[name_column]), *(str(int(r[c])) for c in ("due", "met", "overdue", "open")),
         pct(r["rate"])]
        for _, r in frame.iterrows()
    ]  # fmt: skip


def compliance_text(data: ReportData) -> str:
    """The compliance sentence: nothing due, ended periods with a rate, the running part."""
    c = data.compliance
    if c.due == 0:
        return t("reports.doc.nothing_due")
    text = ""
    if c.ended_due:
        text = t(
            "reports.doc.compliance",
            due=c.ended_due,
            met=c.ended_met,
            overdue=c.overdue,
            rate=pct(c.rate),
        )
    if c.running_due:
        text += t(
            "reports.doc.in_progress",
            as_of=cn_date(data.as_of),
            met=c.running_met,
            due=c.running_due,
            days=data.period.days_left(data.as_of),
        )
    return text


def contacts(data: ReportData, charts: Charts) -> list[Block]:
    channels = data.dashboard.contacts_by_channel
    text = t(
        "reports.doc.contacts",
        contacts=channel_total(channels),
        visits=channel_total(channels, VISIT_CHANNELS),
        calls=channel_total(channels, CALL_CHANNELS),
    )
    headers = [t(f"reports.col.{c}") for c in ("due", "met", "overdue", "pending", "rate")]
    blocks: list[Block] = [Heading(t("reports.doc.h.contacts")), Paragraph(text)]
    blocks.append(Paragraph(compliance_text(data)))
    if data.compliance.due:
        by_rule = _compliance_rows(data.compliance_by_rule, "rule_name")
        by_unit = _compliance_rows(data.compliance_by_unit, "unit")
        unit = unit_header(data.by_school)
        blocks += [
            Paragraph(t("reports.doc.by_rule")),
            Table([t("reports.col.rule"), *headers], by_rule),
            Paragraph(t("reports.doc.by_unit_compliance", unit=unit)),
            Table([unit, *headers], by_unit),
        ]
    return [
        *blocks,
        *chart(charts, "compliance_heatmap"),
        *chart(charts, "compliance_trend"),
        *chart(charts, "contacts_by_channel"),
    ]


def activities(data: ReportData, charts: Charts) -> list[Block]:
    p = data.dashboard.participation
    text = t(
        "reports.doc.activities",
        activities=p.activities,
        attendances=p.attendances,
        lb_part=p.left_behind_participants,
        lb_children=p.left_behind_children,
        lb_rate=pct(p.left_behind_rate),
        other_part=p.other_participants,
        other_children=p.other_children,
        other_rate=pct(p.other_rate),
    )
    keys = ("activity_type", "activities", "left_behind_participants", "left_behind_rate",
            "other_participants", "other_rate")  # fmt: skip
    rows = [
        [enum_label(r["activity_type"], ActivityType), str(int(r["activities"])),
         str(int(r["left_behind_participants"])), pct(r["left_behind_rate"]),
         str(int(r["other_participants"])), pct(r["other_rate"])]
        for _, r in data.dashboard.participation_by_type.iterrows()
    ]  # fmt: skip
    blocks: list[Block] = [Heading(t("reports.doc.h.activities")), Paragraph(text)]
    if rows:
        blocks.append(Table([t(f"reports.col.{k}") for k in keys], rows))
    return blocks + chart(charts, "participation_by_type")


def health(data: ReportData, _charts: Charts) -> list[Block]:
    h = data.health
    blocks: list[Block] = [Heading(t("reports.doc.h.health"))]
    if h.term is None:
        return [*blocks, Paragraph(t("reports.doc.health_no_term"))]
    text = t(
        "reports.doc.health",
        term=h.term.label or t("reports.doc.this_term"),
        checked=h.checked,
        children=h.children,
        coverage=pct(h.coverage),
        lb_checked=h.left_behind_checked,
        low_vision=h.low_vision,
    )
    blocks.append(Paragraph(text))
    rows = [
        [unit_name(r.unit), str(r.children), str(r.checked), pct(r.coverage), str(r.low_vision)]
        for r in data.health_by_unit.itertuples()
    ]
    if rows:
        keys = ("children", "checked", "coverage", "low_vision")
        headers = [unit_header(data.by_school), *(t(f"reports.col.{k}") for k in keys)]
        blocks.append(Table(headers, rows))
    return blocks


def aid(data: ReportData, _charts: Charts) -> list[Block]:
    frame = data.aid
    blocks: list[Block] = [Heading(t("reports.doc.h.aid"))]
    if frame.empty:
        return [*blocks, Paragraph(t("reports.doc.aid_none"))]
    text = t(
        "reports.doc.aid",
        records=int(frame["records"].sum()),
        amount=money(float(frame["amount"].sum())),
    )
    rows = [
        [enum_label(r.kind, AidKind), str(r.records), str(r.children), money(r.amount)]
        for r in frame.itertuples()
    ]
    keys = ("kind", "records", "aided_children", "amount")
    return [*blocks, Paragraph(text), Table([t(f"reports.col.{k}") for k in keys], rows)]
