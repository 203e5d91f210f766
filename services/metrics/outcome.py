"""关爱成效 (issue 17): per term, left-behind children against their classmates, and among
left-behind children those paired / visited every phase / in an activity against those not, on
the mean percentile, the four observation scales and the change of the mean percentile since the
previous term (the same children). Definitions: docs/growth.md.

Every value starts from `child_terms` (THE per-child, per-term frame) over `children_in_scope`;
the groups are outcome_groups.py's. It shows association, not cause.

The bureau sees aggregates of at least MIN_GROUP children (issue 17 item 5), enforced here: a
group smaller than that has its size None, and a mean whose count of children is 1–9 has count
and mean None — on both sides of its comparison, since the two sides add up to a group shown
elsewhere and the hidden mean could otherwise be worked out. Pages print None counts as "<10".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Role
from db.growth_models import SCALE_COLUMNS
from db.models import Child
from services.actor import Actor
from services.growth.access import require_outcome_viewer
from services.growth.terms import child_terms
from services.metrics.outcome_groups import (
    NamedTerm,
    joined_children,
    named_terms,
    paired_children,
    visited_children,
)
from services.metrics.scope import IS_LEFT_BEHIND, Period, Scope, children_in_scope

MIN_GROUP = 10  # the bureau sees no group of fewer children
COMPARISONS = (
    ("left_behind", "classmates"),
    ("paired", "unpaired"),
    ("visited", "not_visited"),
    ("joined", "not_joined"),
)
GROUPS = tuple(group for pair in COMPARISONS for group in pair)
COMPARISON_OF = {group: pair[0] for pair in COMPARISONS for group in pair}
# mean column → the column counting the children it is over
COUNT_OF = {
    "percentile": "results",
    **dict.fromkeys(SCALE_COLUMNS, "observed"),
    "change": "compared",
}
OUTCOME_COLUMNS = [
    "term", "previous_term", "comparison", "group", "children",
    "results", "percentile", "observed", *SCALE_COLUMNS, "compared", "change",
]  # fmt: skip


@dataclass(frozen=True)
class OutcomeFigures:
    """OUTCOME_COLUMNS, one row per term (oldest first) and group (GROUPS order). Counts are
    ints, None when hidden from the bureau; means None when nobody has a value or hidden."""

    table: pd.DataFrame
    hidden_below: int | None  # MIN_GROUP when small groups are hidden (the bureau), else None

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(self.table["term"]))

    @property
    def empty(self) -> bool:
        """No result and no observation in any term shown (a hidden count is not nothing)."""
        counts = self.table[["results", "observed"]]
        return bool(counts.map(lambda n: n == 0).all().all())

    def row(self, term: str, group: str) -> pd.Series:
        found = self.table[(self.table["term"] == term) & (self.table["group"] == group)]
        return found.iloc[0]


def outcome_figures(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> OutcomeFigures:
    """The outcome table for the terms of `period` begun by `as_of` (see the module doc)."""
    require_outcome_viewer(actor)
    children = children_in_scope(session, actor, scope)
    kids = session.execute(select(Child.id, IS_LEFT_BEHIND).where(*children)).all()
    left_behind = {child_id for child_id, lb in kids if lb}
    classmates = {child_id for child_id, lb in kids if not lb}
    frame = child_terms(session, children)
    terms = named_terms(session, actor)
    rows: list[dict] = []
    for index, term in enumerate(terms):
        if not (term.start <= period.end and term.end >= period.start and term.start <= as_of):
            continue
        previous = terms[index - 1] if index else None
        values = _term_values(frame, term, previous)
        members = {
            "left_behind": left_behind,
            "classmates": classmates,
            "paired": left_behind & paired_children(session, children, term, as_of),
            "visited": left_behind & visited_children(session, actor, scope, term, as_of),
            "joined": left_behind & joined_children(session, children, term, as_of),
        }
        for yes, no in COMPARISONS[1:]:
            members[no] = left_behind - members[yes]
        for group in GROUPS:
            rows.append(_group_row(term, previous, group, members[group], values))
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS, dtype=object)
    if actor.role == Role.BUREAU:
        return OutcomeFigures(hide_small_groups(table), MIN_GROUP)
    return OutcomeFigures(table, None)


def _term_values(frame: pd.DataFrame, term: NamedTerm, previous: NamedTerm | None) -> pd.DataFrame:
    """Per child (index): percentile, the scales and change (this term's percentile minus the
    previous term's, None without both)."""
    measures = ["percentile", *SCALE_COLUMNS]
    here = frame[frame["term_id"].isin(term.ids)]
    values = here.groupby("child_id")[measures].mean().astype(float)
    values["change"] = float("nan")
    if previous is not None:
        before = frame[frame["term_id"].isin(previous.ids)]
        prior = before.groupby("child_id")["percentile"].mean().astype(float)
        values["change"] = values["percentile"] - prior.reindex(values.index)
    return values


def _group_row(
    term: NamedTerm, previous: NamedTerm | None, group: str, members: set[int], values: pd.DataFrame
) -> dict:
    mine = values[values.index.isin(members)]
    row: dict = {
        "term": term.name,
        "previous_term": previous.name if previous else None,
        "comparison": COMPARISON_OF[group],
        "group": group,
        "children": len(members),
    }
    for measure, count in COUNT_OF.items():
        valued = mine[measure].dropna()
        row[count] = len(valued)
        digits = 2 if measure in SCALE_COLUMNS else 1
        row[measure] = round(float(valued.mean()), digits) if len(valued) else None
    return row


def _small(n: object) -> bool:
    return n is not None and 0 < int(n) < MIN_GROUP  # type: ignore[call-overload]


def hide_small_groups(table: pd.DataFrame) -> pd.DataFrame:
    """The bureau's view (module doc): sizes of 1–9 None; a mean over 1–9 children None with its
    count, and the same mean of the other side of its comparison."""
    table = table.copy()
    sizes = [None if _small(n) else n for n in table["children"]]
    table["children"] = pd.Series(sizes, index=table.index, dtype=object)
    for (_term, _comparison), pair in table.groupby(["term", "comparison"], sort=False):
        for count in dict.fromkeys(COUNT_OF.values()):
            if any(_small(n) for n in pair[count]):
                means = [m for m, c in COUNT_OF.items() if c == count]
                table.loc[pair.index, [count, *means]] = None
    return table


def hidden(n: object) -> bool:
    """A count hidden from the bureau (None; NaN once pandas has copied the row)."""
    return n is None or bool(pd.isna(n))  # type: ignore[call-overload]


def shown_count(n: object) -> str:
    """A count as printed: "<10" when hidden from the bureau."""
    return f"<{MIN_GROUP}" if hidden(n) else str(int(n))  # type: ignore[call-overload]


def shown_mean(value: object, count: object, digits: int = 1, signed: bool = False) -> str:
    """A mean as printed: "<10" when hidden (its count None), "—" when nobody has a value."""
    if hidden(count):
        return f"<{MIN_GROUP}"
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "—"
    return f"{float(value):{'+' if signed else ''}.{digits}f}"  # type: ignore[arg-type]


def shown_measure(row: pd.Series, measure: str) -> str:
    """One measure of an outcome row as printed (scales to 2 places, the change signed)."""
    digits = 2 if measure in SCALE_COLUMNS else 1
    return shown_mean(row[measure], row[COUNT_OF[measure]], digits, signed=measure == "change")
