"""重点关注: children who need attention now, each with the reasons (one SQL query).

Reasons (codes are stable; labels are locale keys "risk.reason.<code>"):
- no_contact_2m: left-behind or key child with no contact logged for two months or more
  (children enrolled or imported less than two months ago are not flagged; worded
  "risk.reason.no_contact_ever", 从未联系, when no contact was ever logged);
- key_unpaired: key child without a pairing in the current term;
- guardian_phone: guardian phone missing or not a valid mobile/landline;
- guardian_frail: guardian aged 70 or more, or in poor health (较差, 慢性病, 残疾…);
- no_activity: left-behind child who attended no activity this term;
- growth_fall: the early warning of 成长记录 (services/growth/terms.py `falls`, the one rule: mean
  percentile down 20 points or a scale down 2 between the child's two latest terms with a
  value), only when the later of the two terms is the current term or the last ended one — a
  fall two years ago is history, not a reason to act now (`growth_falls`); worded with its
  figures ("成绩明显下滑：百分位 72→45", "情绪评价下降 2 级（4→2）");
- high_risk_note: a HIGH risk counselling note in the last six months — only shown to the roles
  that may read counselling notes (counsellor, principal, admin), never in demo mode.

In demo mode (a projector, DESIGN §7) the page shows `risk_by_class`: counts per class, no child.

`new_record` marks a 新建档 child (services/enrolment.py: not yet one whole ended month on the
books), whose missing contacts are shown as 新建档, never as 从未联系.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from db.enums import EnrolmentStatus, LeftBehindType, RiskLevel
from db.models import (
    Activity,
    Child,
    Classroom,
    Contact,
    CounsellingNote,
    Pairing,
    Participation,
    Term,
)
from locales import t
from services import permissions
from services.actor import Actor
from services.clock import school_today
from services.compliance.todo_hints import fall_words
from services.enrolment import joined_after, new_child
from services.growth.terms import Fall, child_terms, falls
from services.masking import mask_name
from services.permissions import Action
from services.records.specs import LANDLINE_RE, MOBILE_RE
from services.scope import child_visibility, school_ids_in_view

REASONS = (
    "no_contact_2m",
    "growth_fall",
    "key_unpaired",
    "guardian_phone",
    "guardian_frail",
    "no_activity",
    "high_risk_note",
)
RISK_COLUMNS = [
    "child_id",
    "child_name",
    "classroom_name",
    "grade",
    "left_behind_type",
    "is_key",
    "last_contact",
    "new_record",  # 新建档: too new to judge (services/enrolment.py)
    "reasons",  # list of reason codes
    "reason_labels",  # each reason in words, in the order of `reasons`
    "reason_text",  # the reasons in words, joined
]
FRAIL_AGE = 70
POOR_HEALTH_WORDS = ("差", "病", "残", "瘫", "不好")


def _two_months_before(day: date) -> date:
    month = day.month - 2
    year = day.year - 1 if month <= 0 else day.year
    month = month + 12 if month <= 0 else month
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def current_term_ids(session: Session, school_ids: list[int], as_of: date) -> list[int]:
    """Per school: the term containing `as_of`, else the latest term that started before it."""
    terms = session.execute(
        select(Term.id, Term.school_id, Term.start_date, Term.end_date)
        .where(
            Term.school_id.in_(school_ids or [-1]),
            Term.deleted_at.is_(None),
            Term.start_date <= as_of,
        )
        .order_by(Term.school_id, Term.start_date.desc())
    ).all()
    chosen: dict[int, int] = {}
    for term_id, school_id, _start, _end in terms:
        chosen.setdefault(school_id, term_id)
    return list(chosen.values())


def recent_term_ids(session: Session, school_ids: list[int], as_of: date) -> set[int]:
    """Per school: the current term (as `current_term_ids`) and the last term ended before
    `as_of` — the terms a fall may end in to be an early warning today."""
    ended = session.execute(
        select(Term.id, Term.school_id)
        .where(
            Term.school_id.in_(school_ids or [-1]),
            Term.deleted_at.is_(None),
            Term.end_date < as_of,
        )
        .order_by(Term.school_id, Term.end_date.desc())
    ).all()
    last_ended: dict[int, int] = {}
    for term_id, school_id in ended:
        last_ended.setdefault(school_id, term_id)
    return set(current_term_ids(session, school_ids, as_of)) | set(last_ended.values())


def growth_falls(
    session: Session, children: list[ColumnElement[bool]], school_ids: list[int], as_of: date
) -> dict[int, list[Fall]]:
    """child id → its early warnings (`falls` over `child_terms` of the children matching the
    conditions, terms started by `as_of`), kept when the later term is a recent one."""
    frame = child_terms(session, children)
    if frame.empty:
        return {}
    frame = frame[frame["term_start"].map(lambda day: _as_date(day) <= as_of).astype(bool)]
    recent = recent_term_ids(session, school_ids, as_of)
    found: dict[int, list[Fall]] = {}
    for fall in falls(frame):
        if fall.term_id in recent:
            found.setdefault(fall.child_id, []).append(fall)
    return found


def fall_label(fall: Fall) -> str:
    """成绩明显下滑：百分位 72→45 / 情绪评价下降 2 级（4→2）."""
    return fall_words(fall.measure, fall.before, fall.after)


def _phone_valid(col: ColumnElement) -> ColumnElement[bool]:
    return or_(col.regexp_match(MOBILE_RE.pattern), col.regexp_match(LANDLINE_RE.pattern))


def risk_list(
    session: Session,
    actor: Actor,
    as_of: date | None = None,
    grade: int | None = None,
    classroom_id: int | None = None,
) -> pd.DataFrame:
    """Children in the actor's view with at least one reason, most reasons first (RISK_COLUMNS)."""
    permissions.require(actor, Action.VIEW_RISK)
    as_of = as_of or school_today()
    school_ids = school_ids_in_view(session, actor)
    term_ids = current_term_ids(session, school_ids, as_of)
    term_start = session.scalar(
        select(func.min(Term.start_date)).where(Term.id.in_(term_ids or [-1]))
    )
    cutoff = _two_months_before(as_of)
    is_lb = Child.left_behind_type != LeftBehindType.NONE

    last_contact = (
        select(func.max(Contact.contact_date))
        .where(Contact.child_id == Child.id, Contact.deleted_at.is_(None))
        .scalar_subquery()
    )
    paired = exists().where(
        Pairing.child_id == Child.id,
        Pairing.deleted_at.is_(None),
        Pairing.term_id.in_(term_ids or [-1]),
        or_(Pairing.end_date.is_(None), Pairing.end_date >= as_of),
    )
    attended = exists(
        select(Participation.id)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(
            Participation.child_id == Child.id,
            Participation.attended.is_(True),
            Participation.deleted_at.is_(None),
            Activity.deleted_at.is_(None),
            Activity.activity_date >= (term_start or as_of),
            Activity.activity_date <= as_of,
        )
    )
    poor_health = or_(*(Child.guardian_health.like(f"%{w}%") for w in POOR_HEALTH_WORDS))
    if permissions.allows(actor, Action.VIEW_COUNSELLING) and not actor.demo_mode:
        high_note: ColumnElement[bool] = exists().where(
            CounsellingNote.child_id == Child.id,
            CounsellingNote.deleted_at.is_(None),
            CounsellingNote.risk_level == RiskLevel.HIGH,
            CounsellingNote.note_date >= as_of - timedelta(days=183),
        )
    else:
        high_note = false()
    phone = func.trim(func.coalesce(Child.guardian_phone, ""))
    in_view = [
        Child.school_id.in_(school_ids or [-1]),
        child_visibility(actor),
        Child.deleted_at.is_(None),
        Child.enrolment_status == EnrolmentStatus.ENROLLED,
    ]
    if classroom_id is not None:
        in_view.append(Child.classroom_id == classroom_id)
    fallen = growth_falls(session, in_view, school_ids, as_of)
    flags: dict[str, ColumnElement[bool]] = {
        "no_contact_2m": and_(
            or_(is_lb, Child.is_key.is_(True)),
            func.coalesce(joined_after(cutoff), false()).is_(false()),  # on the books 2 months
            or_(last_contact.is_(None), last_contact <= cutoff),
        ),
        "growth_fall": Child.id.in_(sorted(fallen)) if fallen else false(),
        "key_unpaired": and_(Child.is_key.is_(True), ~paired),
        "guardian_phone": and_(
            or_(is_lb, Child.is_key.is_(True)), or_(phone == "", ~_phone_valid(phone))
        ),
        "guardian_frail": and_(
            or_(is_lb, Child.is_key.is_(True)), or_(Child.guardian_age >= FRAIL_AGE, poor_health)
        ),
        "no_activity": and_(is_lb, ~attended) if term_start else false(),
        "high_risk_note": high_note,
    }
    flag_columns = [case((cond, 1), else_=0).label(code) for code, cond in flags.items()]
    query = (
        select(
            Child.id.label("child_id"),
            Child.name.label("child_name"),
            Classroom.name.label("classroom_name"),
            Classroom.grade.label("grade"),
            Child.left_behind_type.label("left_behind_type"),
            Child.is_key.label("is_key"),
            last_contact.label("last_contact"),
            case((new_child(as_of), 1), else_=0).label("new_record"),
            *flag_columns,
        )
        .outerjoin(Classroom, Classroom.id == Child.classroom_id)
        .where(*in_view, or_(*flags.values()))
        .order_by(Classroom.grade, Classroom.number, Child.name)
    )
    if grade is not None:
        query = query.where(Classroom.grade == grade)
    return _to_frame(session.execute(query).mappings().all(), actor, fallen)


BY_CLASS_COLUMNS = ["classroom_name", "children", "reason_text"]


def risk_by_class(
    session: Session, actor: Actor, as_of: date | None = None, grade: int | None = None
) -> pd.DataFrame:
    """The risk list as counts per class (BY_CLASS_COLUMNS): children listed, and per reason
    "<reason> <n>" — what demo mode projects instead of single children."""
    rows = risk_list(session, actor, as_of, grade=grade)
    out = []
    for room, group in rows.groupby(rows["classroom_name"].fillna("—"), sort=False):
        per_reason = [
            (code, int(group["reasons"].map(lambda r, c=code: c in r).sum())) for code in REASONS
        ]
        text = t("risk.reason_sep").join(f"{t(f'risk.reason.{c}')} {n}" for c, n in per_reason if n)
        out.append((group["grade"].min(), room, len(group), text))
    out.sort(key=lambda row: (pd.isna(row[0]), 0 if pd.isna(row[0]) else row[0], row[1]))
    return pd.DataFrame([row[1:] for row in out], columns=BY_CLASS_COLUMNS)


def _to_frame(rows: list, actor: Actor, fallen: dict[int, list[Fall]]) -> pd.DataFrame:
    records = []
    for row in rows:
        reasons = [code for code in REASONS if row[code]]
        labels = [
            _reason_label(c, row["last_contact"], fallen.get(row["child_id"])) for c in reasons
        ]
        records.append(
            {
                "child_id": row["child_id"],
                "child_name": row["child_name"],
                "classroom_name": row["classroom_name"],
                "grade": row["grade"],
                "left_behind_type": getattr(row["left_behind_type"], "value", None),
                "is_key": bool(row["is_key"]),
                "last_contact": _as_date(row["last_contact"]),
                "new_record": bool(row["new_record"]),
                "reasons": reasons,
                "reason_labels": labels,
                "reason_text": t("risk.reason_sep").join(labels),
            }
        )
    frame = pd.DataFrame(records, columns=RISK_COLUMNS)
    if actor.sees_masked:
        frame["child_name"] = frame["child_name"].map(mask_name)
    if not frame.empty:
        frame = frame.iloc[
            frame["reasons"].map(len).sort_values(ascending=False, kind="stable").index
        ].reset_index(drop=True)
    return frame


def _reason_label(code: str, last_contact: object, fallen: list[Fall] | None = None) -> str:
    """A reason in words; no_contact_2m with no contact at all reads 从未联系 (the code stays);
    growth_fall says what fell, from what to what."""
    if code == "no_contact_2m" and (last_contact is None or pd.isna(last_contact)):
        return t("risk.reason.no_contact_ever")
    if code == "growth_fall" and fallen:
        return t("todo.list_sep").join(fall_label(f) for f in fallen)
    return t(f"risk.reason.{code}")


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
