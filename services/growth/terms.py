"""THE per-child, per-term growth frame and the early-warning rule (docs/growth.md).

`child_terms` is the one place a child's term is summarised: the mean of its subject
percentiles (results of the term, not deleted) and the four observation scales. 一人一档's chart,
关爱成效, 重点关注, 我的待办 and the bureau report read it, so they agree.

`falls` is the early warning: between a child's two latest terms with a value, the mean
percentile fell by PERCENTILE_FALL points or more, or an observation scale by SCALE_FALL or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from db.growth_models import SCALE_COLUMNS, GrowthObservation, TermResult
from db.models import Child, Term

PERCENTILE_FALL = 20.0
SCALE_FALL = 2
TERM_COLUMNS = [
    "child_id", "term_id", "term_name", "term_start", "percentile", "subjects",
    *SCALE_COLUMNS, "note",
]  # fmt: skip


def child_terms(session: Session, children: Sequence[ColumnElement[bool]]) -> pd.DataFrame:
    """One row per child (of those matching the `children` conditions on Child) and term with a
    result or an observation: TERM_COLUMNS, ordered by child and term start. `percentile` is the
    mean over the term's subjects (None without results), the scales None without observation."""
    chosen = select(Child.id).where(*children)
    results = select(
        TermResult.child_id,
        TermResult.term_id,
        func.avg(TermResult.percentile).label("percentile"),
        func.count(TermResult.id).label("subjects"),
    ).where(
        TermResult.child_id.in_(chosen),
        TermResult.deleted_at.is_(None),
        TermResult.percentile.is_not(None),
    )
    results = results.group_by(TermResult.child_id, TermResult.term_id)
    observed = select(
        GrowthObservation.child_id,
        GrowthObservation.term_id,
        *(getattr(GrowthObservation, c) for c in SCALE_COLUMNS),
        GrowthObservation.note,
    ).where(GrowthObservation.child_id.in_(chosen), GrowthObservation.deleted_at.is_(None))
    keys = ["child_id", "term_id"]
    left = pd.DataFrame(session.execute(results).all(), columns=[*keys, "percentile", "subjects"])
    right = pd.DataFrame(session.execute(observed).all(), columns=[*keys, *SCALE_COLUMNS, "note"])
    frame = left.merge(right, on=keys, how="outer")
    if frame.empty:
        return pd.DataFrame(columns=TERM_COLUMNS)
    term_ids = frame["term_id"].astype(int).unique().tolist()
    terms = pd.DataFrame(
        session.execute(select(Term.id, Term.name, Term.start_date).where(Term.id.in_(term_ids))),
        columns=["term_id", "term_name", "term_start"],
    )
    frame = frame.merge(terms, on="term_id", how="left")
    frame["percentile"] = frame["percentile"].astype(float).round(1)
    frame["subjects"] = frame["subjects"].fillna(0).astype(int)
    frame = frame.sort_values(["child_id", "term_start"], kind="stable")
    return frame[TERM_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Fall:
    """A child's fall between two terms: which measure, from what to what."""

    child_id: int
    term_id: int  # the later term
    measure: str  # "percentile" or one of SCALE_COLUMNS
    before: float
    after: float

    @property
    def drop(self) -> float:
        return round(self.before - self.after, 1)


def falls(frame: pd.DataFrame) -> list[Fall]:
    """The early warnings in a `child_terms` frame (ordered by child and term start): per child
    and measure, its two latest terms with a value compared; a child can fall on several
    measures (largest drop first). Vectorised: a school's frame costs milliseconds."""
    found: list[Fall] = []
    limits = {"percentile": PERCENTILE_FALL, **dict.fromkeys(SCALE_COLUMNS, SCALE_FALL)}
    for measure, limit in limits.items():
        valued = frame.loc[frame[measure].notna(), ["child_id", "term_id", measure]]
        latest = valued.groupby("child_id", sort=False).tail(2)
        before = latest.groupby("child_id", sort=False)[measure].shift(1)
        pairs = latest.assign(before=before).dropna(subset=["before"])
        pairs = pairs[pairs["before"].astype(float) - pairs[measure].astype(float) >= limit]
        found += [
            Fall(int(child), int(term), measure, float(was), float(now))
            for child, term, was, now in zip(
                pairs["child_id"], pairs["term_id"], pairs["before"], pairs[measure], strict=True
            )
        ]
    return sorted(found, key=lambda f: (f.child_id, -f.drop))
