"""Section 八 of the bureau report, 关爱成效 (issue 17): the outcome view's figures in sentences
and a table per term instead of adjectives — left-behind children against their classmates, the
care groups against each other, the change since the previous term, and the plain note that
this is association, not cause. Every number is a cell of ReportData.outcome
(services/metrics/outcome.py), printed as the page prints it ("<10" where the bureau may not
see a group)."""

from __future__ import annotations

import pandas as pd

from db.growth_models import SCALE_COLUMNS
from locales import t
from services.metrics.outcome import COUNT_OF, OutcomeFigures, hidden, shown_count, shown_measure
from services.reports.blocks import Block, Heading, Paragraph, Table
from services.reports.data import ReportData

Charts = dict[str, bytes]
RESULT_COLUMNS = ("children", "results", "percentile", "compared", "change")
OBSERVATION_COLUMNS = ("observed", *SCALE_COLUMNS)


def outcome(data: ReportData, _charts: Charts) -> list[Block]:
    figures = data.outcome
    blocks: list[Block] = [Heading(t("outcome.doc.h"))]
    terms = [term for term in figures.terms if _has_data(figures, term)]
    if not terms:
        return [*blocks, Paragraph(t("outcome.doc.none"))]
    for term in terms:
        blocks += _term_blocks(figures, term)
    return [*blocks, Paragraph(t("outcome.doc.note"))]


def _has_data(figures: OutcomeFigures, term: str) -> bool:
    rows = figures.table[figures.table["term"] == term]
    return any(hidden(n) or n for n in (*rows["results"], *rows["observed"]))


def _with_n(row: pd.Series, measure: str) -> str:
    """A mean and the children behind it: "48.5（69人）", or "<10"."""
    count = row[COUNT_OF[measure]]
    if hidden(count):
        return shown_count(count)
    if not count:
        return t("outcome.doc.no_data")
    return t("outcome.doc.with_n", value=shown_measure(row, measure), n=int(count))


def _term_blocks(figures: OutcomeFigures, term: str) -> list[Block]:
    lb, mates = figures.row(term, "left_behind"), figures.row(term, "classmates")
    blocks: list[Block] = [
        Paragraph(
            t(
                "outcome.doc.term",
                term=term,
                lb=shown_count(lb.children),
                lb_results=shown_count(lb.results),
                lb_percentile=shown_measure(lb, "percentile"),
                mates=shown_count(mates.children),
                mates_results=shown_count(mates.results),
                mates_percentile=shown_measure(mates, "percentile"),
            )
        )
    ]
    if lb.previous_term and any(hidden(r.compared) or r.compared for r in (lb, mates)):
        blocks.append(
            Paragraph(
                t(
                    "outcome.doc.change",
                    previous=lb.previous_term,
                    lb_compared=shown_count(lb.compared),
                    lb_change=shown_measure(lb, "change"),
                    mates_compared=shown_count(mates.compared),
                    mates_change=shown_measure(mates, "change"),
                )
            )
        )
    groups = ("paired", "unpaired", "visited", "not_visited", "joined", "not_joined")
    care = {group: _with_n(figures.row(term, group), "percentile") for group in groups}
    blocks.append(Paragraph(t("outcome.doc.care", **care)))
    if hidden(lb.observed) or lb.observed:
        scales = {scale: shown_measure(lb, scale) for scale in SCALE_COLUMNS}
        blocks.append(
            Paragraph(t("outcome.doc.scales", observed=shown_count(lb.observed), **scales))
        )
    intro = "outcome.doc.table" if figures.hidden_below else "outcome.doc.table_school"
    return [
        *blocks,
        Paragraph(t(intro, term=term)),
        _table(figures, term, RESULT_COLUMNS),
        _table(figures, term, OBSERVATION_COLUMNS),
    ]


def _table(figures: OutcomeFigures, term: str, columns: tuple[str, ...]) -> Table:
    """The term's groups with `columns` (counts and means as the page prints them)."""
    rows = figures.table[figures.table["term"] == term]
    counts = {"children", *COUNT_OF.values()}
    body = [
        [t(f"outcome.group.{row['group']}")]
        + [shown_count(row[c]) if c in counts else shown_measure(row, c) for c in columns]
        for _, row in rows.iterrows()
    ]
    headers = [t(f"outcome.doc.col.{c}") for c in ("group", *columns)]
    return Table(headers, body)
