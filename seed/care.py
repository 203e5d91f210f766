"""Care records besides contacts: activities, health checks, aid and counselling notes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from db.enums import ActivityType, AidKind, KeyReason, RiskLevel
from db.models import Aid, CounsellingNote, HealthCheck
from seed import phrases, texts
from seed.activities import add_activities, plan_day, term_plans
from seed.context import SchoolData, Term, World, sample
from seed.kid import MOTHER, NONE, Kid

TWO_EXEMPT_AMOUNT = Decimal("625.00")
HARDSHIP_NOTES = ["家中房屋受灾", "家人重病住院", "父亲务工受伤", "监护人年老多病"]


def add_care(world: World, school: SchoolData, kids: list[Kid]) -> None:
    add_activities(world, school, kids)
    add_health_checks(world, school, kids)
    add_aid(world, school, kids)
    add_counselling_notes(world, school, kids)


def add_health_checks(world: World, school: SchoolData, kids: list[Kid]) -> None:
    """One check per enrolled child in the current term, class by class; a few classes are not
    checked yet."""
    rng, term = world.rng, school.terms[-1]
    start = next(plan_day(term, p) for p in term_plans(term) if p.kind == ActivityType.HEALTH_CHECK)
    demo_room = (0, 3, 1)
    candidates = [r for r in school.rooms if (school.index, r.grade, r.number) != demo_room]
    skipped = {r.id for r in sample(rng, candidates, max(1, round(len(school.rooms) * 0.1)))}
    days = {r.id: term.days.pick(rng, start, start + timedelta(14)) for r in school.rooms}
    rows = []
    for kid in kids:
        day = days[kid.room.id]
        if kid.room.id in skipped or day is None or day > world.anchor:
            continue
        if kid.enrolled_on <= day and (kid.left_on is None or kid.left_on > day):
            rows.append(health_row(world, school, kid, day))
    world.writer.insert(HealthCheck, rows)


def health_row(world: World, school: SchoolData, kid: Kid, day: date) -> dict:
    rng = world.rng
    age = (day - kid.row["birth_date"]).days / 365.25
    girl = kid.row["gender"].value == "female"
    height = 117 + 6.2 * (age - 6) - (1.0 if girl else 0) + rng.gauss(0, 5)
    overweight = rng.uniform(4, 10) if rng.random() < 0.08 else 0.0
    weight = 21 + 3.2 * (age - 6) + rng.gauss(0, 2.8) + overweight
    base = 5.05 - 0.04 * (age - 6) + rng.gauss(0, 0.17)
    if rng.random() < 0.06:  # a few clearly short-sighted children
        base -= rng.uniform(0.3, 0.9)
    left = round(min(5.3, max(4.0, base + rng.gauss(0, 0.05))), 1)
    right = round(min(5.3, max(4.0, base + rng.gauss(0, 0.05))), 1)
    notes = []
    if min(left, right) < 4.8:
        notes.append("视力不良，建议到医院复查")
    if weight > 21 + 3.2 * (age - 6) + 6:
        notes.append("超重，注意饮食和运动")
    return {
        "school_id": school.id,
        "child_id": kid.id,
        "check_date": day,
        "height_cm": round(height, 1),
        "weight_kg": round(weight, 1),
        "vision_left": left,
        "vision_right": right,
        "bp_systolic": rng.randint(88, 116),
        "bp_diastolic": rng.randint(52, 76),
        "lung_capacity_ml": int(round(900 + 260 * (age - 6) + rng.gauss(0, 150), -1)),
        "notes": "；".join(notes) or None,
        "created_by": school.admin_id,
    }


def add_aid(world: World, school: SchoolData, kids: list[Kid]) -> None:
    """~30 % of left-behind children get 两免一补 each term; some get hardship aid or a sponsor."""
    rng = world.rng
    grants: list[tuple[Kid, AidKind, Decimal, str | None, str | None]] = []
    for kid in kids:
        lb = kid.lb != NONE
        if rng.random() < (0.3 if lb else 0.08):
            note = "寄宿生生活补助" if kid.row["boarding"] else "家庭经济困难学生补助"
            grants.append((kid, AidKind.TWO_EXEMPT_ONE_SUBSIDY, TWO_EXEMPT_AMOUNT, None, note))
        if KeyReason.ECONOMIC in kid.row["key_reasons"] or (lb and rng.random() < 0.03):
            amount = Decimal(rng.randint(5, 20) * 100)
            grants.append((kid, AidKind.HARDSHIP, amount, None, rng.choice(HARDSHIP_NOTES)))
        if lb and rng.random() < 0.05:
            amount = Decimal(rng.choice([300, 500, 600, 800]))
            grants.append((kid, AidKind.SPONSOR, amount, rng.choice(phrases.SPONSORS), None))
    rows = []
    for term in school.terms:
        if term.plan.end < world.window_start:
            continue
        granted = term.plan.start + timedelta(rng.randint(20, 45))
        if granted > world.anchor:
            continue
        for kid, kind, amount, sponsor, note in grants:
            if kid.enrolled_on <= granted and (kid.left_on is None or kid.left_on > granted):
                rows.append(aid_row(school, term, kid, kind, amount, sponsor, note, granted))
    world.writer.insert(Aid, rows)


def aid_row(
    school: SchoolData,
    term: Term,
    kid: Kid,
    kind: AidKind,
    amount: Decimal,
    sponsor: str | None,
    note: str | None,
    granted: date,
) -> dict:
    return {
        "school_id": school.id,
        "child_id": kid.id,
        "term_id": term.id,
        "kind": kind,
        "sponsor": sponsor,
        "amount": amount,
        "granted_on": granted,
        "note": note,
        "created_by": school.admin_id,
    }


def add_counselling_notes(world: World, school: SchoolData, kids: list[Kid]) -> None:
    """About one note per 30 children (20 in the demo school), mostly low risk, 2–3 high."""
    rng = world.rng
    count = max(8, round(len(kids) / 30))
    troubled = [k for k in kids if KeyReason.PSYCHOLOGY in k.row["key_reasons"]]
    worried = [k for k in kids if k.lb != NONE and k.row["psychology_notes"]]
    pool = troubled * 3 + worried + sample(rng, [k for k in kids if k.lb != NONE], count)
    if not pool:
        return
    n_high = max(rng.choice([2, 3]), round(count * 0.1)) if count >= 20 else 1
    levels = [RiskLevel.HIGH] * n_high
    levels += [RiskLevel.MEDIUM] * round(count * 0.2)
    levels += [RiskLevel.LOW] * (count - len(levels))
    terms = [t for t in school.terms if t.plan.end >= world.window_start]
    writer = texts.Writer(rng)
    rows = []
    for level in levels:
        kid = rng.choice(troubled if level == RiskLevel.HIGH and troubled else pool)
        term = rng.choice(terms)
        first = max(term.plan.start, world.window_start)
        lo, hi = kid.window(first, min(term.plan.end, world.anchor), left_behind=False)
        day = term.days.pick(rng, lo, hi) if lo <= hi else None
        if day is None:
            continue
        rows.append(
            {
                "school_id": school.id,
                "child_id": kid.id,
                "counsellor_id": school.counsellor_id,
                "note_date": day,
                "summary": note(writer, kid, level.value, day),
                "risk_level": level,
                "created_by": school.counsellor_id,
            }
        )
    world.writer.insert(CounsellingNote, rows)


def note(writer: texts.Writer, kid: Kid, level: str, day: date) -> str:
    """A counselling note about this child at this risk level (never repeated in the school)."""
    parent = "妈妈" if kid.lb == MOTHER else "爸爸"
    parts = (
        texts.COUNSELLING_OPENINGS,
        texts.COUNSELLING_BODIES[level],
        texts.COUNSELLING_CLOSINGS[level],
    )
    return writer.write(parts, day, name=kid.given_name, parent=parent)
