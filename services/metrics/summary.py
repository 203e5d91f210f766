"""县域汇总: compliance per school and rule-period, stored, so the bureau's dashboard and ranking
read a few thousand rows instead of two million contacts (issue 15 item 4, DESIGN.md §9).

One definition: a stored row is what the compliance engine (`compliance_table`) answers for that
school, rule and period; nothing here counts a contact itself. How it stays current:

- Database triggers (migration 0006_county_summary) mark a school-month stale in the same
  transaction as any change to its sources: a contact's month (old and new date), or the whole
  school (`*`) for a child's enrolment or left-behind fields, a rule or a term.
- `refresh_summary` (in a write transaction of its caller) recomputes only what is marked: the
  periods overlapping a marked month, or every period of a school marked `*`, and deletes the
  markers it handled. On PostgreSQL it takes a per-school advisory lock and the markers
  `FOR UPDATE SKIP LOCKED`, so replicas never refresh one school at once and a writer still in
  flight keeps its marker (the triggers lock a marker, so a writer waits for a refresh holding it
  and re-inserts it afterwards).
- The same refresh recomputes the county facts (contacts by channel, participation;
  services/metrics/summary_facts.py) of the marked months, and their readers count stale
  schools live the same way.
- `summary_table` answers like `compliance_table` for the schools in view: stored rows for the
  schools without a marker, the engine live for the schools with one. So a figure is right even
  before anyone refreshed; a refresh only makes it fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import ContactRule, School, Term
from db.summary_models import WHOLE_SCHOOL, ComplianceSummary, SummaryStale
from services.actor import Actor
from services.compliance.engine import BY_COLUMNS, COUNT_COLUMNS, compliance_table
from services.metrics.scope import Scope
from services.metrics.summary_facts import month_span, recompute_facts
from services.scope import school_ids_in_view

FAR = date(9999, 12, 31)  # "as of" that has every period begun: the summary keeps them all
LOCK_CLASS = 15_004  # pg_advisory_xact_lock(LOCK_CLASS, school_id): one refresher per school
STORED = ["school_id", "term_id", "rule_id", "period_start", "period_end", "due", "met"]
SUMMARY_KEYS = frozenset({"school", "term", "rule"})  # the groupings the summary can answer


def answers(actor: Actor, scope: Scope, keys: Sequence[str]) -> bool:
    """Can the summary answer: whole schools (the bureau, or a school-wide role without a grade
    or class filter) grouped by school, term and/or rule only."""
    whole = actor.role == Role.BUREAU or actor.is_school_wide
    return whole and scope.everyone and set(keys) <= SUMMARY_KEYS


def _school_actor(school_id: int) -> Actor:
    """Who the engine counts for when summarising a school: all of it."""
    return Actor(0, "system", "system", Role.ADMIN, school_id)


def computed_rows(session: Session, school_id: int, start: date, end: date) -> pd.DataFrame:
    """The engine's due and met per term, rule and period of the school, for every period
    overlapping [start, end] (begun or not): STORED columns."""
    frame = compliance_table(
        session,
        _school_actor(school_id),
        start,
        end,
        by=("term", "rule", "period"),
        school_id=school_id,
        as_of=FAR,
    )
    return frame.assign(school_id=school_id)[STORED]


def _spans(session: Session, school_id: int, months: set[str]) -> list[tuple[date, date]]:
    """The date ranges to recompute: the school's terms for `*`, else the marked months with
    neighbouring months merged."""
    if WHOLE_SCHOOL in months:
        first, last = session.execute(
            select(func.min(Term.start_date), func.max(Term.end_date)).where(
                Term.school_id == school_id, Term.deleted_at.is_(None)
            )
        ).one()
        return [(first, last)] if first is not None else []
    spans: list[tuple[date, date]] = []
    for start, end in sorted(month_span(m) for m in months):
        if spans and (start - spans[-1][1]).days == 1:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _recompute(session: Session, school_id: int, months: set[str]) -> None:
    stored = ComplianceSummary.__table__
    if WHOLE_SCHOOL in months:
        session.execute(delete(stored).where(stored.c.school_id == school_id))
    for start, end in _spans(session, school_id, months):
        session.execute(
            delete(stored).where(
                stored.c.school_id == school_id,
                stored.c.period_start <= end,
                stored.c.period_end >= start,
            )
        )
        rows = computed_rows(session, school_id, start, end)
        if len(rows):
            records = [
                {**{c: int(r[c]) for c in ("school_id", "term_id", "rule_id", "due", "met")},
                 "period_start": r["period_start"], "period_end": r["period_end"]}
                for r in rows.to_dict("records")
            ]  # fmt: skip
            session.execute(insert(stored), records)


def stale_schools(session: Session, school_ids: Iterable[int] | None = None) -> list[int]:
    """Schools with a marker (of `school_ids`, else all)."""
    query = select(SummaryStale.school_id).distinct()
    if school_ids is not None:
        query = query.where(SummaryStale.school_id.in_(list(school_ids) or [-1]))
    return sorted(session.scalars(query))


def refresh_summary(session: Session, school_ids: Iterable[int] | None = None) -> int:
    """Recompute what is marked stale (of `school_ids`, else every school), in the caller's
    write transaction; returns how many markers were handled. A school another transaction is
    refreshing, and a marker a writer still holds (PostgreSQL), are left for the next refresh."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    handled = 0
    for school_id in stale_schools(session, school_ids):
        if postgresql:
            lock = func.pg_try_advisory_xact_lock(literal(LOCK_CLASS), literal(school_id))
            if not session.scalar(select(lock)):
                continue
        markers = select(SummaryStale.month).where(SummaryStale.school_id == school_id)
        if postgresql:
            markers = markers.with_for_update(skip_locked=True)
        months = set(session.scalars(markers))
        if not months:
            continue
        _recompute(session, school_id, months)
        recompute_facts(session, school_id, months)
        session.execute(
            delete(SummaryStale).where(
                SummaryStale.school_id == school_id, SummaryStale.month.in_(months)
            )
        )
        handled += len(months)
    return handled


def refresh_in_view(session: Session, actor: Actor) -> int:
    """`refresh_summary` for the schools `actor` sees (a page's write transaction, before it
    reads the dashboard); nothing to do costs one indexed look-up."""
    return refresh_summary(session, school_ids_in_view(session, actor))


def _stored_rows(session: Session, school_ids: list[int], start: date, last: date) -> pd.DataFrame:
    stored = ComplianceSummary.__table__
    query = select(*(stored.c[c] for c in STORED)).where(
        stored.c.school_id.in_(school_ids or [-1]),
        stored.c.period_end >= start,
        stored.c.period_start <= last,
    )
    return pd.DataFrame([tuple(r) for r in session.execute(query)], columns=STORED)


def _names(session: Session, key: str, ids: list[int]) -> pd.DataFrame:
    """id, name (and the rule's sort_order) of the key's rows, for joining and ordering."""
    entity = {"school": School, "term": Term, "rule": ContactRule}[key]
    columns = [entity.id, entity.name] + ([ContactRule.sort_order] if key == "rule" else [])
    rows = session.execute(select(*columns).where(entity.id.in_(ids or [-1]))).all()
    names = BY_COLUMNS[key] + (["rule_sort_order"] if key == "rule" else [])
    return pd.DataFrame([tuple(r) for r in rows], columns=names)


def summary_table(
    session: Session, actor: Actor, start: date, end: date, by: Sequence[str], as_of: date
) -> pd.DataFrame:
    """`compliance_table(session, actor, start, end, by, as_of=as_of)` (by: school, term, rule,
    period), from the stored rows of the schools in view, and the engine for stale ones."""
    out_columns = [c for key in by for c in BY_COLUMNS[key]] + COUNT_COLUMNS
    school_ids = school_ids_in_view(session, actor)
    stale = stale_schools(session, school_ids)
    fresh = [s for s in school_ids if s not in stale]
    parts = [_stored_rows(session, fresh, start, min(end, as_of))]
    parts += [computed_rows(session, s, start, end) for s in stale]
    rows = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    begun = rows["period_start"].map(lambda d: d <= as_of).astype(bool)
    overlaps = rows["period_end"].map(lambda d: d >= start).astype(bool)
    rows = rows[begun & overlaps & rows["period_start"].map(lambda d: d <= end).astype(bool)]
    if rows.empty:
        return pd.DataFrame(columns=out_columns)
    ended = rows["period_end"].map(lambda d: d < as_of).astype(bool)
    rows = rows.assign(overdue=(rows["due"] - rows["met"]).where(ended, 0))
    ids = [BY_COLUMNS[key][0] for key in by if key != "period"]
    ids += ["period_start", "period_end"] if "period" in by else []
    counts = ["due", "met", "overdue"]
    frame = rows.groupby(ids, sort=False)[counts].sum().reset_index() if ids else None
    if frame is None:
        frame = pd.DataFrame([{c: int(rows[c].sum()) for c in counts}])
    order: list[str] = []
    for key in by:
        if key == "period":
            order += ["period_start", "period_end"]
            continue
        names = _names(session, key, frame[BY_COLUMNS[key][0]].astype(int).tolist())
        frame = frame.merge(names, on=BY_COLUMNS[key][0], how="left")
        order += (["rule_sort_order"] if key == "rule" else []) + [BY_COLUMNS[key][1]]
    if order:
        frame = frame.sort_values(order, kind="stable")
    for column in counts + [c for c in ids if c.endswith("_id")]:
        frame[column] = frame[column].astype("int64")
    frame["pending"] = frame["due"] - frame["met"] - frame["overdue"]
    frame["rate"] = (frame["met"] / frame["due"]).where(frame["due"] > 0)
    return frame[out_columns].reset_index(drop=True)
