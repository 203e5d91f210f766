"""关爱成效's pieces: the period / grade / class filters and a term's table as printed (sizes,
means with the number of children behind each, "<10" for what the bureau may not see)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from components.filters import choose
from db.growth_models import SCALE_COLUMNS
from locales import t
from services.actor import Actor
from services.metrics.options import classroom_options, grade_options, term_options
from services.metrics.outcome import OutcomeFigures, shown_count, shown_measure
from services.metrics.scope import Period, Scope, term_period, year_period

TABLE_COLUMNS = ["group", "children", "results", "percentile", "compared",
                 "change", "observed", *SCALE_COLUMNS]  # fmt: skip
WIDTHS = {"group": "medium"}


def filters(session: Session, actor: Actor, today: date) -> tuple[Scope, Period] | None:
    """A whole year (this year first) or one term; grade; class (a school's own). None without
    a term."""
    terms = term_options(session, actor)
    if terms.empty:
        st.info(t("outcome.no_terms"))
        return None
    years = sorted({d.year for d in (*terms["start"], *terms["end"]) if d.year <= today.year})
    periods = [year_period(y) for y in reversed(years)]
    periods += [term_period(r["name"], r["start"], r["end"]) for _, r in terms.iterrows()]
    left, middle, right = st.columns(3)
    period = left.selectbox(
        t("outcome.filter.period"),
        periods,
        format_func=lambda p: (
            t("outcome.period.year", year=p.start.year) if p.kind == "year" else p.label
        ),
        key="outcome_period",
        placeholder=choose(),
    )
    grade = middle.selectbox(
        t("dashboard.filter.grade"),
        [None, *grade_options(session, actor)],
        format_func=lambda g: t("dashboard.all") if g is None else t("chart.grade_n", n=g),
        key="outcome_grade",
        placeholder=choose(),
    )
    rooms = classroom_options(session, actor, grade).set_index("classroom_id")["name"]
    classroom_id = right.selectbox(
        t("dashboard.filter.class"),
        [None, *rooms.index.tolist()],
        format_func=lambda c: t("dashboard.all") if c is None else rooms[c],
        key="outcome_class",
        disabled=rooms.empty,
        placeholder=choose(),
    )
    return Scope(grade, classroom_id), period


def term_table(figures: OutcomeFigures, term: str) -> pd.DataFrame:
    """One term's rows as printed: TABLE_COLUMNS of text."""
    rows = figures.table[figures.table["term"] == term]
    printed = []
    for _, row in rows.iterrows():
        cells = {"group": t(f"outcome.group.{row['group']}")}
        for count in ("children", "results", "compared", "observed"):
            cells[count] = shown_count(row[count])
        for measure in ("percentile", "change", *SCALE_COLUMNS):
            cells[measure] = shown_measure(row, measure)
        printed.append(cells)
    return pd.DataFrame(printed, columns=TABLE_COLUMNS)


def labels() -> dict[str, str]:
    """The table's headers: outcome.col.* and the scales' names."""
    names = {c: t(f"outcome.col.{c}") for c in TABLE_COLUMNS if c not in SCALE_COLUMNS}
    return {c: names.get(c) or t(f"enum.GrowthScale.{c}") for c in TABLE_COLUMNS}
