"""The bureau report as blocks (headings, paragraphs, tables, images) and the small formatters
every section uses. The .docx and .pdf writers render the same blocks, so both say the same."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from locales import t


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
    issuer: str = ""  # who sends it, at the end (落款): the school, or the county
    issued: str = ""  # the date under it (成文日期), e.g. 2026年12月2日


def pct(share: float | None) -> str:
    """A share as "57.1%"; nothing to divide by is "—", never 100 %."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.1f}%"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def money(amount: float) -> str:
    return f"{amount:,.2f}"


def chart(charts: dict[str, bytes], name: str) -> list[Block]:
    return [Image(charts[name], t(f"chart.{name}"))] if name in charts else []


def unit_header(by_school: bool) -> str:
    return t("reports.col.school") if by_school else t("reports.col.classroom")


def unit_name(value: object) -> str:
    return t("chart.unassigned") if value is None or pd.isna(value) else str(value)
