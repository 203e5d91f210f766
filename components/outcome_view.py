"""关爱成效's table of a term as printed: sizes, means with the number of children behind each,
"<10" for what the bureau may not see (the filters are 总览's, components/dashboard_view.py)."""

from __future__ import annotations

import pandas as pd

from db.growth_models import SCALE_COLUMNS
from locales import t
from services.metrics.outcome import OutcomeFigures, shown_count, shown_measure

TABLE_COLUMNS = ["group", "children", "results", "percentile", "compared",
                 "change", "observed", *SCALE_COLUMNS]  # fmt: skip
WIDTHS = {"group": "medium"}


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
