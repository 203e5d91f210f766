"""The bureau report's content as blocks (headings, paragraphs, tables, images), drafted in Chinese
from the figures. The .docx and .pdf writers render the same blocks, so both say the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from db.enums import ActivityType, AidKind, ContactChannel
from locales import CN_NUMERALS, enum_label, t
from services.masking import mask_name
from services.reports.data import ReportData

NOT_CONTACTED_LISTED = 30


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str


Block = Heading | Paragraph | Table | Image


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    blocks: list[Block]


def pct(share: float | None) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.1f}%"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_document(
    data: ReportData, title: str, charts: dict[str, bytes], masked: bool, scope: str = ""
) -> ReportDocument:
    """Title, the nine sections of DESIGN.md §8 and the charts, from `data`; the subtitle names
    the place, scope, period and whether names are masked."""
    subtitle = t(
        "reports.doc.subtitle",
        place=data.place,
        scope=scope or data.place,
        period=data.period.label,
        start=_cn_date(data.period.start),
        end=_cn_date(data.period.end),
        made=_cn_date(data.as_of),
    )
    if masked:
        subtitle += t("reports.doc.masked")
    blocks: list[Block] = []
    for section in (
        _basic,
        _archive,
        _pairing,
        _contacts,
        _activities,
        _health,
        _aid,
        _problems,
        _next_steps,
    ):
        blocks.extend(section(data, charts, masked))
    return ReportDocument(title=title, subtitle=subtitle, blocks=blocks)


def _chart(charts: dict[str, bytes], name: str) -> list[Block]:
    return [Image(charts[name], t(f"chart.{name}"))] if name in charts else []


def _unit_header(data: ReportData) -> str:
    return t("reports.col.school") if data.by_school else t("reports.col.classroom")


def _basic(data: ReportData, charts: dict[str, bytes], _masked: bool) -> list[Block]:
    k = data.dashboard.kpis
    text = t(
        "reports.doc.basic",
        as_of=_cn_date(data.as_of),
        place=data.place,
        children=k.children,
        left_behind=k.left_behind,
        left_share=pct(share(k.left_behind, k.children)),
        both=k.both_parents,
        both_share=pct(share(k.both_parents, k.left_behind)),
        one=k.one_parent,
        one_share=pct(share(k.one_parent, k.left_behind)),
        key_children=k.key_children,
    )
    if data.by_school:
        text += t("reports.doc.schools", schools=data.schools)
    by_grade = _by_grade(data.units) if not data.by_school else None
    blocks: list[Block] = [Heading(t("reports.doc.h.basic")), Paragraph(text)]
    if by_grade is not None and not by_grade.empty:
        blocks.append(Paragraph(t("reports.doc.by_grade")))
        blocks.append(_mix_table(by_grade, t("reports.col.grade")))
    blocks.append(Paragraph(t("reports.doc.by_unit", unit=_unit_header(data))))
    blocks.append(_mix_table(data.units, _unit_header(data)))
    return blocks + _chart(charts, "left_behind_by_grade")


def _by_grade(units: pd.DataFrame) -> pd.DataFrame:
    numeric = ["children", "left_behind", "both", "one_parent", "key", "archived"]
    frame = units.dropna(subset=["grade"]).groupby("grade", as_index=False)[numeric].sum()
    frame["unit"] = [t("reports.grade", cn=CN_NUMERALS[int(g)], n=int(g)) for g in frame["grade"]]
    return frame


def _mix_table(frame: pd.DataFrame, first: str) -> Table:
    headers = [
        first,
        *(
            t(f"reports.col.{c}")
            for c in ("children", "left_behind", "left_share", "both", "one_parent")
        ),
    ]
    rows = [
        [
            str(r.unit or t("chart.unassigned")),
            str(r.children),
            str(r.left_behind),
            pct(share(r.left_behind, r.children)),
            str(r.both),
            str(r.one_parent),
        ]
        for r in frame.itertuples()
    ]
    total = frame[["children", "left_behind", "both", "one_parent"]].sum()
    rows.append(
        [
            t("reports.col.total"),
            str(int(total["children"])),
            str(int(total["left_behind"])),
            pct(share(int(total["left_behind"]), int(total["children"]))),
            str(int(total["both"])),
            str(int(total["one_parent"])),
        ]
    )
    return Table(headers, rows)


def _archive(data: ReportData, _charts: dict[str, bytes], _masked: bool) -> list[Block]:
    k = data.dashboard.kpis
    blocks: list[Block] = [
        Heading(t("reports.doc.h.archive")),
        Paragraph(
            t(
                "reports.doc.archive",
                archived=k.archived,
                left_behind=k.left_behind,
                rate=pct(share(k.archived, k.left_behind)),
            )
            + (
                t("reports.doc.archive_missing", missing=k.left_behind - k.archived)
                if k.left_behind > k.archived
                else t("reports.doc.archive_complete")
            )
        ),
    ]
    if not data.missing_fields.empty:
        rows = [
            [t(f"import.field.{f.removesuffix('_id')}"), str(n)]
            for f, n in data.missing_fields.itertuples(index=False)
        ]
        blocks.append(Table([t("reports.col.field"), t("reports.col.missing")], rows))
    return blocks


def _pairing(data: ReportData, _charts: dict[str, bytes], _masked: bool) -> list[Block]:
    k, p = data.dashboard.kpis, data.pairing
    text = t(
        "reports.doc.pairing",
        paired=k.paired_left_behind,
        left_behind=k.left_behind,
        coverage=pct(share(k.paired_left_behind, k.left_behind)),
        teachers=p.teachers,
        pairs=p.pairs,
        average=f"{p.average_load:.1f}",
        max_load=p.max_load,
        key_paired=k.paired_key,
        key_children=k.key_children,
        key_coverage=pct(share(k.paired_key, k.key_children)),
    )
    if p.overloaded_teachers:
        text += t("reports.doc.overloaded", teachers=p.overloaded_teachers)
    return [Heading(t("reports.doc.h.pairing")), Paragraph(text)]


def _compliance_rows(frame: pd.DataFrame, name_column: str) -> list[list[str]]:
    return [
        [
            str(r[name_column] or t("chart.unassigned")),
            str(int(r["due"])),
            str(int(r["met"])),
            str(int(r["overdue"])),
            pct(r["rate"]),
        ]
        for _, r in frame.iterrows()
    ]


def _contacts(data: ReportData, charts: dict[str, bytes], _masked: bool) -> list[Block]:
    total = data.compliance_total.iloc[0]
    channels = data.dashboard.contacts_by_channel.set_index("channel")["contacts"]
    visits = int(channels.get(ContactChannel.HOME_VISIT.value, 0))
    calls = int(channels.get(ContactChannel.PHONE.value, 0)) + int(
        channels.get(ContactChannel.VIDEO.value, 0)
    )
    text = t(
        "reports.doc.contacts",
        contacts=int(channels.sum()) if len(channels) else 0,
        visits=visits,
        calls=calls,
        due=int(total["due"]),
        met=int(total["met"]),
        overdue=int(total["overdue"]),
        rate=pct(total["rate"]),
    )
    headers = [
        t("reports.col.due"),
        t("reports.col.met"),
        t("reports.col.overdue"),
        t("reports.col.rate"),
    ]
    by_rule = Table(
        [t("reports.col.rule"), *headers], _compliance_rows(data.compliance_by_rule, "rule_name")
    )
    by_unit = Table(
        [_unit_header(data), *headers], _compliance_rows(data.compliance_by_unit, "unit")
    )
    return [
        Heading(t("reports.doc.h.contacts")),
        Paragraph(text),
        Paragraph(t("reports.doc.by_rule")),
        by_rule,
        Paragraph(t("reports.doc.by_unit_compliance", unit=_unit_header(data))),
        by_unit,
        *_chart(charts, "compliance_heatmap"),
        *_chart(charts, "compliance_trend"),
        *_chart(charts, "contacts_by_channel"),
    ]


def _activities(data: ReportData, charts: dict[str, bytes], _masked: bool) -> list[Block]:
    s = data.activities_total.iloc[0]
    text = t(
        "reports.doc.activities",
        activities=int(s["activities"]),
        attendances=int(s["attendances"]),
        lb_part=int(s["left_behind_participants"]),
        lb_children=int(s["left_behind_children"]),
        lb_rate=pct(s["left_behind_rate"]),
        other_part=int(s["other_participants"]),
        other_children=int(s["other_children"]),
        other_rate=pct(s["other_rate"]),
    )
    rows = [
        [
            enum_label(r["activity_type"], ActivityType),
            str(int(r["activities"])),
            str(int(r["left_behind_participants"])),
            pct(r["left_behind_rate"]),
            str(int(r["other_participants"])),
            pct(r["other_rate"]),
        ]
        for _, r in data.activities_by_type.iterrows()
    ]
    keys = (
        "activity_type",
        "activities",
        "left_behind_participants",
        "left_behind_rate",
        "other_participants",
        "other_rate",
    )
    blocks: list[Block] = [Heading(t("reports.doc.h.activities")), Paragraph(text)]
    if rows:
        blocks.append(Table([t(f"reports.col.{k}") for k in keys], rows))
    return blocks + _chart(charts, "participation_by_type")


def _health(data: ReportData, _charts: dict[str, bytes], _masked: bool) -> list[Block]:
    frame = data.health
    children, checked = int(frame["children"].sum()), int(frame["checked"].sum())
    text = t(
        "reports.doc.health",
        checked=checked,
        children=children,
        coverage=pct(share(checked, children)),
        lb_checked=int(frame["left_behind_checked"].sum()),
        low_vision=int(frame["low_vision"].sum()),
    )
    rows = [
        [str(r.unit), str(r.children), str(r.checked), pct(r.coverage), str(r.low_vision)]
        for r in frame.itertuples()
    ]
    keys = ("children", "checked", "coverage", "low_vision")
    blocks: list[Block] = [Heading(t("reports.doc.h.health")), Paragraph(text)]
    if rows:
        blocks.append(Table([_unit_header(data), *(t(f"reports.col.{k}") for k in keys)], rows))
    return blocks


def _aid(data: ReportData, _charts: dict[str, bytes], _masked: bool) -> list[Block]:
    frame = data.aid
    text = t(
        "reports.doc.aid",
        records=int(frame["records"].sum()),
        amount=f"{float(frame['amount'].sum()):,.2f}",
    )
    rows = [
        [enum_label(r.kind, AidKind), str(r.records), str(r.children), f"{r.amount:,.2f}"]
        for r in frame.itertuples()
    ]
    keys = ("kind", "records", "children", "amount")
    blocks: list[Block] = [Heading(t("reports.doc.h.aid")), Paragraph(text)]
    if rows:
        blocks.append(Table([t(f"reports.col.{k}") for k in keys], rows))
    return blocks


def _problems(data: ReportData, _charts: dict[str, bytes], masked: bool) -> list[Block]:
    blocks: list[Block] = [Heading(t("reports.doc.h.problems"))]
    below = data.below_target
    if below.empty:
        blocks.append(Paragraph(t("reports.doc.no_below_target")))
    else:
        names = "、".join(f"{u}（{pct(r)}）" for u, r in below.itertuples(index=False))
        blocks.append(Paragraph(t("reports.doc.below_target", count=len(below), units=names)))
    gone = data.not_contacted
    if gone.empty:
        blocks.append(Paragraph(t("reports.doc.all_contacted")))
        return blocks
    blocks.append(Paragraph(t("reports.doc.not_contacted", count=len(gone))))
    rows = [
        [
            str(mask_name(name) if masked else name),
            str(unit or ""),
            last.isoformat() if last else t("reports.doc.never"),
        ]
        for name, unit, last in gone.head(NOT_CONTACTED_LISTED).itertuples(index=False)
    ]
    headers = [t("reports.col.child_name"), _unit_header(data), t("reports.col.last_contact")]
    blocks.append(Table(headers, rows))
    if len(gone) > NOT_CONTACTED_LISTED:
        blocks.append(Paragraph(t("reports.doc.more", count=len(gone) - NOT_CONTACTED_LISTED)))
    return blocks


def _next_steps(data: ReportData, _charts: dict[str, bytes], _masked: bool) -> list[Block]:
    k = data.dashboard.kpis
    steps: list[str] = []
    if k.left_behind > k.archived:
        steps.append(t("reports.doc.step.archive", count=k.left_behind - k.archived))
    if not data.below_target.empty:
        units = "、".join(str(u) for u in data.below_target["unit"])
        steps.append(t("reports.doc.step.compliance", units=units))
    if not data.not_contacted.empty:
        steps.append(t("reports.doc.step.contact", count=len(data.not_contacted)))
    if k.left_behind > k.paired_left_behind:
        steps.append(t("reports.doc.step.pairing", count=k.left_behind - k.paired_left_behind))
    if data.pairing.overloaded_teachers:
        steps.append(t("reports.doc.step.load", teachers=data.pairing.overloaded_teachers))
    s = data.activities_total.iloc[0]
    if float(s["left_behind_rate"] or 0) < float(s["other_rate"] or 0):
        steps.append(t("reports.doc.step.activities"))
    checked, children = int(data.health["checked"].sum()), int(data.health["children"].sum())
    if checked < children:
        steps.append(t("reports.doc.step.health", count=children - checked))
    steps.append(t("reports.doc.step.keep_on"))
    return [Heading(t("reports.doc.h.next"))] + [
        Paragraph(f"{i}. {text}") for i, text in enumerate(steps, start=1)
    ]
