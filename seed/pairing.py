"""Teacher–child pairings (结对帮扶) per term: 2–3 children per teacher, key children first."""

from __future__ import annotations

import random
from collections import defaultdict

from db.models import Pairing
from seed import phrases
from seed.context import SchoolData, Staff, Term, World, sample
from seed.kid import BOTH, NONE, Kid

DEMO_LOGINS = ("head_teacher", "teacher")


def add_pairings(world: World, school: SchoolData, kids: list[Kid]) -> dict[int, dict[int, Staff]]:
    """Insert the pairings of every term; returns {term id: {child id: paired teacher}}."""
    rng = world.rng
    result: dict[int, dict[int, Staff]] = {}
    rows = []
    for term in school.terms:
        present = [k for k in kids if present_in(k, term, world)]
        pairs = assign(rng, school.teachers, present)
        result[term.id] = {kid.id: teacher for teacher, kid in pairs}
        for teacher, kid in pairs:
            rows.append(
                {
                    "school_id": school.id,
                    "teacher_id": teacher.id,
                    "child_id": kid.id,
                    "term_id": term.id,
                    "start_date": max(term.plan.start, kid.enrolled_on),
                    "end_date": min(term.plan.end, kid.left_on or term.plan.end),
                    "goal": rng.choice(phrases.PAIRING_GOALS),
                    "created_by": school.principal_id,
                }
            )
    world.writer.insert(Pairing, rows)
    return result


def present_in(kid: Kid, term: Term, world: World) -> bool:
    """Enrolled at some point of the term, up to the anchor date."""
    last = min(term.plan.end, world.anchor)
    return kid.enrolled_on <= last and (kid.left_on is None or kid.left_on >= term.plan.start)


def assign(rng: random.Random, teachers: list[Staff], kids: list[Kid]) -> list[tuple[Staff, Kid]]:
    """Give each teacher 2–3 children (two teachers get 4, to show the overload warning).

    Key children come first and may go to any teacher; other left-behind children (both parents
    away first) go to a teacher of their own class. Teachers still below two take anyone left.
    """
    capacity = {t.id: rng.choice([2, 3]) for t in teachers}
    others = [t for t in teachers if t.username not in DEMO_LOGINS]
    for teacher in sample(rng, others, 2):
        capacity[teacher.id] = 4
    by_room: dict[int, list[Staff]] = defaultdict(list)
    for teacher in teachers:  # head teachers come first in the list, so they are asked first
        for room_id in teacher.room_ids:
            by_room[room_id].append(teacher)
    load: dict[int, int] = defaultdict(int)
    pairs: list[tuple[Staff, Kid]] = []

    def give(teacher: Staff, kid: Kid) -> None:
        load[teacher.id] += 1
        pairs.append((teacher, kid))

    key = [k for k in kids if k.is_key]
    left_behind = [k for k in kids if not k.is_key and k.lb != NONE]
    rng.shuffle(key)
    rng.shuffle(left_behind)
    left_behind.sort(key=lambda k: k.lb != BOTH)
    unpaired = []
    for kid in key + left_behind:
        free = [t for t in by_room[kid.room.id] if load[t.id] < capacity[t.id]]
        if free:
            give(free[0], kid)
            continue
        anyone = [t for t in teachers if load[t.id] < capacity[t.id]] if kid.is_key else []
        if anyone:
            give(rng.choice(anyone), kid)
        else:
            unpaired.append(kid)
    for teacher in teachers:
        while load[teacher.id] < 2 and unpaired:
            give(teacher, unpaired.pop())
    return pairs
