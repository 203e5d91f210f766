"""我的待办: what a head teacher or teacher still has to do this month, child by child.

A 新建档 child (services/enrolment.py) is marked `new_record`; a period that ended before the
child's record was made (an import gives no enrolment date) is not held against anyone, so it
is not overdue.

Besides the contact rules, a child of the actor's class (head teacher) or paired with the actor
this term who has an early warning of 成长记录 (services/compliance/risk.py `growth_falls`, the
same as 重点关注) has one duty "成绩明显下滑：安排谈心/家访" (rule_id GROWTH_WARNING, due by the
month's end) until a talk with the child or a home visit is logged on or after the day the
later term's result or observation was last written.
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.enums import ContactChannel, Counterpart, EnrolmentStatus, GrowthScale
from db.growth_models import GrowthObservation, TermResult
from db.models import Child, Classroom, Contact, Pairing
from locales import enum_label, t
from services import permissions
from services.actor import Actor
from services.clock import school_today
from services.compliance.engine import compliance_rows
from services.compliance.risk import current_term_ids, growth_falls
from services.compliance.todo_groups import GROWTH_WARNING
from services.compliance.todo_hints import (
    Hint,
    Window,
    either,
    excludes_hint,
    meets_hint,
    not_counted_hints,
)
from services.enrolment import new_child
from services.permissions import Action

TODO_COLUMNS = [
    "child_id",
    "child_name",
    "classroom_name",
    "rule_id",
    "rule_name",
    "status",  # "overdue" (a period has ended unmet) or "due" (the current period is still open)
    "missed_periods",  # ended periods this month without a matching contact
    "due_by",  # end of the open period, or of the last missed one
    "missing",  # what contact is missing, in words: "监护人 · 任意方式"
    "counterpart",  # suggested prefill for the contact form
    "channel",
    "new_record",  # 新建档: the child is too new to have missed anything before this month
    "meets",  # todo_hints.Hint: which contact would meet the duty
    "excludes",  # todo_hints.Hint or None: what the rule itself does not count
    "not_counted",  # tuple of todo_hints.Hint: contacts in its periods that did not count, and why
]


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of `day`'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def describe_missing(counterparts: list[str], channels: list[str]) -> str:
    """'父亲或母亲 · 电话或视频' — who and how a rule wants to be contacted."""
    who = either([enum_label(c, Counterpart) for c in counterparts])
    how = either([enum_label(c, ContactChannel) for c in channels]) or t("todo.any_channel")
    return f"{who} · {how}"


def _on_the_books(
    session: Session, child_ids: list[int], as_of: date
) -> dict[int, tuple[date | None, bool]]:
    """Per child: the day its record was made when it has no enrolment date (else None: the
    engine already starts it at enrolment), and whether it is 新建档 at `as_of`."""
    rows = session.execute(
        select(
            Child.id,
            Child.enrolled_on,
            Child.created_at,
            case((new_child(as_of), 1), else_=0),
        ).where(Child.id.in_(child_ids))
    ).all()
    return {
        cid: (school_today(made) if enrolled is None and made else None, bool(new))
        for cid, enrolled, made, new in rows
    }


def my_todo(session: Session, actor: Actor, as_of: date | None = None) -> pd.DataFrame:
    """Rules due or overdue this month for the children the actor is responsible for.

    One row per (child, rule), overdue first. Responsible = head teacher of the child's class, or
    the paired teacher for paired-teacher rules (see services/compliance/due.py).
    """
    permissions.require(actor, Action.VIEW_TODO)
    as_of = as_of or school_today()
    start, end = month_bounds(as_of)
    rows = compliance_rows(session, actor, start, end, teacher_id=actor.user_id, as_of=as_of)
    warnings = growth_todo(session, actor, as_of)
    if rows.empty and not warnings:
        return pd.DataFrame(columns=TODO_COLUMNS)
    if rows.empty:
        return _ordered(pd.DataFrame(warnings, columns=TODO_COLUMNS))
    books = _on_the_books(session, sorted({int(c) for c in rows["child_id"]}), as_of)
    made = [books[int(cid)][0] for cid in rows["child_id"]]
    before_record = [
        bool(overdue) and day is not None and begins < day
        for overdue, day, begins in zip(rows["overdue"], made, rows["period_start"], strict=True)
    ]
    rows = rows[[not dropped for dropped in before_record]]
    records, windows = [], []
    for (child_id, rule_id), group in rows.groupby(["child_id", "rule_id"], sort=False):
        first = group.iloc[0]
        missed = group[group["overdue"]]
        open_rows = group[~group["overdue"]]
        counterparts = list(first["counterparts"] or [])
        channels = list(first["channels"] or [])
        due_by = (
            open_rows["period_end"].max() if not open_rows.empty else missed["period_end"].max()
        )
        records.append(
            {
                "child_id": int(child_id),
                "child_name": first["child_name"],
                "classroom_name": first["classroom_name"],
                "rule_id": int(rule_id),
                "rule_name": first["rule_name"],
                "status": "overdue" if len(missed) else "due",
                "missed_periods": len(missed),
                "due_by": due_by,
                "missing": describe_missing(counterparts, channels),
                "counterpart": counterparts[0] if counterparts else None,
                "channel": channels[0] if channels else ContactChannel.PHONE.value,
                "new_record": books[int(child_id)][1],
                "meets": meets_hint(counterparts, channels),
                "excludes": excludes_hint(counterparts, channels),
            }
        )
        spans = tuple(zip(group["period_start"], group["period_end"], strict=True))
        windows.append(Window(int(child_id), spans))
    for record, hints in zip(records, not_counted_hints(session, windows), strict=True):
        record["not_counted"] = hints
    if not records and not warnings:
        return pd.DataFrame(columns=TODO_COLUMNS)
    return _ordered(pd.DataFrame(records + warnings, columns=TODO_COLUMNS))


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Overdue first, then by deadline, class and name."""
    frame["_order"] = frame["status"].map({"overdue": 0, "due": 1})
    return (
        frame.sort_values(["_order", "due_by", "classroom_name", "child_name"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _responsible_for(session: Session, actor: Actor, as_of: date) -> list[ColumnElement[bool]]:
    """Conditions on Child: enrolled children of the classes the actor heads or paired with the
    actor in the current term."""
    term_ids = current_term_ids(session, [actor.school_id] if actor.school_id else [], as_of)
    headed = select(Classroom.id).where(
        Classroom.head_teacher_id == actor.user_id, Classroom.deleted_at.is_(None)
    )
    paired = select(Pairing.child_id).where(
        Pairing.teacher_id == actor.user_id,
        Pairing.deleted_at.is_(None),
        Pairing.term_id.in_(term_ids or [-1]),
        or_(Pairing.end_date.is_(None), Pairing.end_date >= as_of),
    )
    return [
        Child.school_id == actor.school_id,
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
        or_(Child.classroom_id.in_(headed), Child.id.in_(paired)),
    ]


def growth_todo(session: Session, actor: Actor, as_of: date) -> list[dict]:
    """The early-warning duties of the actor's children (TODO_COLUMNS rows, one per child)."""
    if actor.school_id is None:
        return []
    fallen = growth_falls(
        session, _responsible_for(session, actor, as_of), [actor.school_id], as_of
    )
    open_ids = _unanswered(session, fallen)
    if not open_ids:
        return []
    names = session.execute(
        select(Child.id, Child.name, Classroom.name)
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(Child.id.in_(open_ids))
    ).all()
    month_end = month_bounds(as_of)[1]
    rows = []
    for child_id, child_name, classroom_name in names:
        child_falls = fallen[child_id]
        first = child_falls[0]
        title = (
            t("growth_warning.todo.results")
            if first.measure == "percentile"
            else t("growth_warning.todo.scale", scale=enum_label(first.measure, GrowthScale))
        )
        described = tuple((f.measure, f.before, f.after) for f in child_falls)
        rows.append(
            {
                "child_id": int(child_id),
                "child_name": child_name,
                "classroom_name": classroom_name,
                "rule_id": GROWTH_WARNING,
                "rule_name": title,
                "status": "due",
                "missed_periods": 0,
                "due_by": month_end,
                "missing": title,
                "counterpart": Counterpart.CHILD.value,
                "channel": ContactChannel.MEETING.value,
                "new_record": False,
                "meets": Hint("growth_warning.todo.detail", {"falls": described}),
                "excludes": None,
                "not_counted": (),
            }
        )
    return rows


def _unanswered(session: Session, fallen: dict) -> list[int]:
    """The warned children with no talk (meeting with the child) or home visit logged on or
    after the day the fall's later-term result or observation was last written; a contact counts
    only when it says something (`substantive`, as for the contact rules)."""
    if not fallen:
        return []
    written: dict[int, date] = {}
    for model in (TermResult, GrowthObservation):
        later = [
            and_(model.child_id == c, model.term_id == f[0].term_id) for c, f in fallen.items()
        ]
        query = (
            select(model.child_id, func.max(model.updated_at))
            .where(or_(*later), model.deleted_at.is_(None))
            .group_by(model.child_id)
        )
        for child_id, stamp in session.execute(query):
            day = school_today(stamp)
            written[child_id] = max(written.get(child_id, day), day)
    answered = session.execute(
        select(Contact.child_id, func.max(Contact.contact_date))
        .where(
            Contact.child_id.in_(sorted(fallen)),
            Contact.deleted_at.is_(None),
            Contact.substantive.is_(True),  # as for every rule: 未接通 or saying nothing is no talk
            or_(
                and_(Contact.channel == ContactChannel.MEETING,
                     Contact.counterpart == Counterpart.CHILD),
                Contact.channel == ContactChannel.HOME_VISIT,
            ),
        )
        .group_by(Contact.child_id)
    ).all()  # fmt: skip
    last_talk = {child_id: _as_day(day) for child_id, day in answered}
    return [
        child_id
        for child_id in sorted(fallen)
        if child_id not in last_talk or last_talk[child_id] < written.get(child_id, date.min)
    ]


def _as_day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
