"""Children who need attention: the risk list's counts, the children not contacted for two months
or more, and the children too new to judge (新建档).

"Not contacted for two months" is the risk list's own reason `no_contact_2m`
(services/compliance/risk.py), so the report names the same children as 重点关注; a 新建档 child
(not yet one whole ended month on the books, services/enrolment.py) is never listed as 从未联系.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Child
from services.actor import Actor
from services.compliance.risk import REASONS, risk_list
from services.enrolment import new_child
from services.metrics.scope import (
    IS_LEFT_BEHIND,
    Period,
    Scope,
    children_in_scope,
    school_names,
)

NOT_CONTACTED_COLUMNS = ["child_id", "name", "unit", "last_contact"]


def _risk(session: Session, actor: Actor, scope: Scope, as_of: date) -> pd.DataFrame:
    return risk_list(session, actor, as_of, grade=scope.grade, classroom_id=scope.classroom_id)


def risk_counts(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> dict[str, int]:
    """重点关注: children on the risk list ("total") and per reason code."""
    frame = _risk(session, actor, scope, as_of)
    counts = {code: int(frame["reasons"].map(lambda r, c=code: c in r).sum()) for code in REASONS}
    return {"total": len(frame), **counts}


def new_child_ids(session: Session, actor: Actor, scope: Scope, as_of: date) -> set[int]:
    """The left-behind children in scope who are 新建档 at `as_of`."""
    return set(
        session.scalars(
            select(Child.id).where(
                *children_in_scope(session, actor, scope), IS_LEFT_BEHIND, new_child(as_of)
            )
        )
    )


def new_children(
    session: Session, actor: Actor, scope: Scope, period: Period | None, as_of: date
) -> int:
    return len(new_child_ids(session, actor, scope, as_of))


def not_contacted(
    session: Session,
    actor: Actor,
    scope: Scope,
    period: Period | None,
    as_of: date,
    by_school: bool,
) -> pd.DataFrame:
    """Children of the risk list with no contact for two months or more, 新建档 left out:
    child_id, name, unit (class, or school for the bureau), last_contact (None: never)."""
    frame = _risk(session, actor, scope, as_of)
    frame = frame[frame["reasons"].map(lambda r: "no_contact_2m" in r).astype(bool)]
    frame = frame[~frame["child_id"].isin(new_child_ids(session, actor, scope, as_of))]
    frame = frame.sort_values(["grade", "classroom_name"], kind="stable")
    units = frame["classroom_name"]
    if by_school:
        schools = school_names(session, Child, frame["child_id"].tolist())
        units = frame["child_id"].map(schools)
    rows = zip(frame["child_id"], frame["child_name"], units, frame["last_contact"], strict=True)
    return pd.DataFrame(list(rows), columns=NOT_CONTACTED_COLUMNS)
