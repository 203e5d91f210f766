"""成长记录 of a generated school (issue 17): term results and teachers' observations.

Which terms: the two latest whose 期中 (middle phase) is over at the anchor. For the
demo (anchor 2026-11-28) that is 2026年春季学期, ended, with its 期末 results, and the
running 2026年秋季学期 with its 期中 results, which a school has by late November. A term
outside the contact window gets its Term row here: the demo school imported last
spring's sheet as a baseline, so that term has results but no contacts, and its
whole span is one break (BEFORE_LEDGER): nothing is due in it, its compliance is
unknown rather than 0 %. Children are ranked in their present class (a class moves
up a grade together); the grade at the time decides the subjects (英语 from grade 3)
and the form (scores from grade 3, 优/良/中/差 before).

The effect is believable, not dramatic: each child's ability is drawn around the
archive's 学习情况; left-behind children sit LB_GAP (in standard deviations) below their
classmates; in the later term the gap narrows to NARROWED of itself for a child with
regular contact (a call with the away parent in every ended month of that term, what
the default rule 每月与家长通话 asks) and stays for the others. FALL_SHARE of the left-
behind children fall, in results by FALL_SD or on one observation scale by 2, so
重点关注 and 我的待办 have cases (one in the demo class).

Draws come from a generator derived from the run's, consuming nothing from it, so
the rest of the demo is what it was without this step. Percentiles are computed in
bulk with services/growth/percentiles.py, the definition `rerank` applies.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from db.enums import ContactChannel, Counterpart, LetterGrade
from db.growth_models import SCALE_COLUMNS, SCALE_MAX, SCALE_MIN, GrowthObservation, TermResult
from db.models import Contact, Term
from seed import texts
from seed.context import SchoolData, Staff, World
from seed.kid import BOTH, MOTHER, NONE, Kid
from seed.schoolyear import TermDays, TermPlan, fall_term, school_year_start, spring_term
from services.growth.percentiles import grade_of_score, percentiles, rank_values

TERMS = 2
SUBJECTS = ("语文", "数学", "英语")
ENGLISH_FROM, SCORES_FROM = 3, 3  # grade
LEVEL_SHIFT = {"优": 1.1, "良": 0.35, "中": -0.35, "差": -1.1}  # the archive's 学习情况
ABILITY_SD, SUBJECT_SD, TERM_SD = 0.6, 0.3, 0.06
LB_GAP, NARROWED = 0.13, 0.35
FALL_SHARE, FALL_SD = 0.012, 1.6
SCORE_MEAN, GRADE_MEAN, POINTS_SD = 80.0, 85.0, 10.0  # 100-point papers
DEMO_ROOM = (0, 3, 1)  # school index, grade, number: the demo head teacher's class


BEFORE_LEDGER = "启用台账前（仅导入成绩）"


@dataclass(frozen=True)
class ResultTerm:
    """A term with results: its id, plan, the results' day and school years before the anchor's."""

    id: int
    plan: TermPlan
    day: date
    years_back: int


@dataclass
class Pupil:
    kid: Kid
    ability: float
    offsets: dict[str, float]
    regular: bool
    fall: str | None = None  # "results" or a scale of SCALE_COLUMNS
    scales: dict[str, int] = field(default_factory=dict)  # the latest observation's

    def enrolled(self, day: date) -> bool:
        return self.kid.enrolled_on <= day and (self.kid.left_on is None or self.kid.left_on > day)

    def left_behind(self, day: date) -> bool:
        since = self.kid.lb_since
        return self.kid.lb != NONE and (since is None or since <= day)


def add_growth(
    world: World, school: SchoolData, kids: list[Kid], paired: dict[int, dict[int, Staff]]
) -> None:
    """Results of every child and observations of every left-behind child in the result terms."""
    rng = random.Random(f"growth:{school.index}:{world.rng.getstate()[1][:8]}")
    terms = result_terms(world, school)
    regular = regular_contact(world, school, terms[-1].plan)
    pupils = [
        Pupil(
            kid,
            LEVEL_SHIFT.get(kid.row.get("study_level") or "", 0.0) + rng.gauss(0, ABILITY_SD),
            {s: rng.gauss(0, SUBJECT_SD) for s in SUBJECTS},
            kid.id in regular,
        )
        for kid in kids
    ]
    pick_fallers(rng, school, pupils, terms)
    results: list[dict] = []
    observations: list[dict] = []
    notes = texts.Writer(rng)
    for index, term in enumerate(terms):
        later = index == len(terms) - 1 and index > 0
        for pupil in pupils:
            if not pupil.enrolled(term.day) or pupil.kid.room.grade - term.years_back < 1:
                continue
            results += result_rows(rng, school, pupil, term, later)
            if pupil.left_behind(term.day):
                observer = paired.get(term.id, {}).get(pupil.kid.id)
                observations.append(observation_row(rng, notes, school, pupil, term, observer))
    rank(results)
    world.writer.insert(TermResult, results)
    world.writer.insert(GrowthObservation, observations)


def result_terms(world: World, school: SchoolData) -> list[ResultTerm]:
    """The TERMS latest terms whose 期中 is over at the anchor, oldest first (rows added)."""
    anchor = world.anchor
    plans = [make(year) for year in range(anchor.year - 2, anchor.year + 1)
             for make in (spring_term, fall_term)]  # fmt: skip
    chosen = [p for p in plans if p.phases["middle"][1] < anchor][-TERMS:]
    ids = {term.plan.name: term.id for term in school.terms}
    missing = [p for p in chosen if p.name not in ids]
    if missing:
        rows = [baseline_row(p) | {"school_id": school.id} for p in missing]
        added = world.writer.insert(Term, rows, returning=True)
        ids |= {p.name: term_id for p, term_id in zip(missing, added, strict=True)}
    year = school_year_start(anchor)
    return [
        ResultTerm(
            ids[p.name],
            p,
            p.end if p.end < anchor else p.phases["middle"][1],
            year - school_year_start(p.start),
        )
        for p in chosen
    ]


def baseline_row(plan: TermPlan) -> dict:
    """A term before the school kept its ledger here (only its results sheet was imported): its
    whole span is one break (启用前), so it has no contact periods and nothing is due — the
    school's compliance is unknown for it, not 0 %."""
    row = plan.row()
    row["holidays"] = [
        {"name": BEFORE_LEDGER, "start": plan.start.isoformat(), "end": plan.end.isoformat()}
    ]
    return row


def regular_contact(world: World, school: SchoolData, plan: TermPlan) -> set[int]:
    """Children with a call (phone or video) with a parent in every month of the term that
    ended before the anchor."""
    months = [(a, b) for a, b in TermDays(plan).months() if b < world.anchor]
    if not months:
        return set()
    calls = world.writer.session.execute(
        select(Contact.child_id, Contact.contact_date).where(
            Contact.school_id == school.id,
            Contact.deleted_at.is_(None),
            Contact.counterpart.in_([Counterpart.FATHER, Counterpart.MOTHER]),
            Contact.channel.in_([ContactChannel.PHONE, ContactChannel.VIDEO]),
            Contact.contact_date.between(months[0][0], months[-1][1]),
        )
    )
    called: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for child_id, day in calls:
        called[child_id].add((day.year, day.month))
    return {child_id for child_id, seen in called.items() if len(seen) >= len(months)}


def pick_fallers(
    rng: random.Random, school: SchoolData, pupils: list[Pupil], terms: list[ResultTerm]
) -> None:
    """FALL_SHARE of the left-behind children in both terms fall, mostly children without
    regular contact; in the demo school at least one, in the demo class."""
    if len(terms) < 2:
        return
    both = [
        p for p in pupils
        if all(p.enrolled(t.day) and p.left_behind(t.day) for t in terms)
        and p.kid.room.grade - terms[0].years_back >= 1
    ]  # fmt: skip
    count = round(len(both) * FALL_SHARE)
    if school.index == 0 and both:
        count = max(1, count)
    if not count:
        return
    lonely = [p for p in both if not p.regular]
    chosen = rng.sample(lonely, min(len(lonely), count - count // 4))
    others = [p for p in both if p not in chosen]
    chosen += rng.sample(others, min(len(others), count - len(chosen)))
    in_demo_room = [p for p in both if (school.index, p.kid.room.grade, p.kid.room.number)
                    == DEMO_ROOM]  # fmt: skip
    if in_demo_room and not any(p in in_demo_room for p in chosen):
        chosen[0] = rng.choice(in_demo_room)
    for n, pupil in enumerate(chosen):
        if n % 2 == 0:
            pupil.fall = "results"
            pupil.ability = max(pupil.ability, 0.2)  # room to fall
        else:
            pupil.fall = rng.choice(["emotion", "emotion", "study", "habits"])


def result_rows(
    rng: random.Random, school: SchoolData, pupil: Pupil, term: ResultTerm, later: bool
) -> list[dict]:
    kid = pupil.kid
    grade = kid.room.grade - term.years_back
    level = pupil.ability
    if pupil.left_behind(term.day):
        level -= LB_GAP * (NARROWED if later and pupil.regular else 1.0)
    if later and pupil.fall == "results":
        level -= FALL_SD
    rows = []
    for subject in SUBJECTS[:3] if grade >= ENGLISH_FROM else SUBJECTS[:2]:
        z = level + pupil.offsets[subject] + rng.gauss(0, TERM_SD)
        score: float | None = None
        letter: LetterGrade | None = None
        if grade >= SCORES_FROM:
            score = float(min(100, max(20, round(SCORE_MEAN + POINTS_SD * z))))
        else:
            letter = grade_of_score(GRADE_MEAN + POINTS_SD * z)
        rows.append(
            {
                "school_id": school.id,
                "child_id": kid.id,
                "term_id": term.id,
                "classroom_id": kid.room.id,
                "subject": subject,
                "score": score,
                "grade": letter,
                "percentile": None,
                "created_by": kid.room.head_teacher_id,
            }
        )
    return rows


def rank(rows: list[dict]) -> None:
    """Each row's percentile in its class, subject and term (as services/growth/ranking.py)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["term_id"], row["classroom_id"], row["subject"])].append(row)
    for members in groups.values():
        values = percentiles(rank_values([(r["score"], r["grade"]) for r in members]))
        for row, value in zip(members, values, strict=True):
            row["percentile"] = value


def observation_row(
    rng: random.Random,
    notes: texts.Writer,
    school: SchoolData,
    pupil: Pupil,
    term: ResultTerm,
    paired_teacher: Staff | None,
) -> dict:
    """The term's four scales (moving at most one step from the last term's, except a fall)
    and a note that says how the term went."""
    before = pupil.scales
    now = first_scales(rng, pupil) if not before else next_scales(rng, pupil, before)
    pupil.scales = now
    kind = "steady"
    if before and pupil.fall:
        kind = "fall_emotion" if pupil.fall == "emotion" else "fall_study"
    elif before:
        change = sum(now.values()) - sum(before.values())
        kind = "better" if change > 0 else "worse" if change < 0 else "steady"
    elif sum(now.values()) < 11:
        kind = "worse"
    closings = texts.OBSERVATION_CLOSINGS["fall" if kind.startswith("fall") else kind]
    parts = (texts.OBSERVATION_OPENINGS, texts.OBSERVATION_BODIES[kind], closings)
    kid = pupil.kid
    parent = "妈妈" if kid.lb == MOTHER else "爸爸"
    note = notes.write(parts, term.day, name=kid.given_name, rel=kid.guardian_call, parent=parent)
    observer = kid.room.head_teacher_id
    if paired_teacher is not None and rng.random() < 0.4:
        observer = paired_teacher.id
    return {
        "school_id": school.id,
        "child_id": kid.id,
        "term_id": term.id,
        "observer_id": observer,
        **now,
        "note": note,
        "created_by": observer,
    }


def first_scales(rng: random.Random, pupil: Pupil) -> dict[str, int]:
    kid = pupil.kid
    emotion = 3 + (rng.random() < 0.45) - (kid.lb == BOTH and rng.random() < 0.3)
    emotion -= bool(kid.row.get("psychology_notes")) and rng.random() < 0.6
    self_care = 2 + (kid.room.grade >= 3) + (rng.random() < 0.6) + bool(kid.row.get("boarding"))
    scales = {
        "study": study_scale(pupil.ability),
        "emotion": emotion,
        "habits": rng.choice([2, 3, 3, 3, 4, 4, 4, 5]),
        "self_care": self_care,
    }
    if pupil.fall in SCALE_COLUMNS:  # room to fall by two
        scales[pupil.fall] = max(scales[pupil.fall], 3 + (rng.random() < 0.5))
    return {name: clip(value) for name, value in scales.items()}


def next_scales(rng: random.Random, pupil: Pupil, before: dict[str, int]) -> dict[str, int]:
    up, down = (0.25, 0.06) if pupil.regular else (0.1, 0.18)
    now = {}
    for name in SCALE_COLUMNS:
        draw = rng.random()
        now[name] = clip(before[name] + (draw < up) - (up <= draw < up + down))
    if pupil.fall == "results":
        now["study"] = clip(before["study"] - 1)
    elif pupil.fall in SCALE_COLUMNS:
        now[pupil.fall] = before[pupil.fall] - 2
    return now


def study_scale(ability: float) -> int:
    return (
        5
        if ability > 1.0
        else 4
        if ability > 0.3
        else 3
        if ability > -0.5
        else 2
        if ability > -1.3
        else 1
    )


def clip(value: int) -> int:
    return min(SCALE_MAX, max(SCALE_MIN, int(value)))
