"""Teacher–child pairings (结对帮扶) per term, as schools make them.

Each class names 4–5 children to pair: its key children first, then children with both parents
away, then other left-behind children. The class's own teachers take them, head teacher first,
2–3 children each. A key child whose class has no teacher free goes to any teacher with room, so
every key child is paired; teachers still below two take a left-behind child of another class.
"""

from __future__ import annotations

import random
from collections import defaultdict

from db.models import Pairing
from seed import phrases
from seed.context import SchoolData, Staff, Term, World, sample
from seed.kid import BOTH, NONE, Kid

DEMO_LOGINS = ("head_teacher", "teacher")
PER_CLASS = (4, 5)
LOADS = (2, 3, 3)  # children per teacher, drawn per teacher and term


def add_pairings(world: World, school: SchoolData, kids: list[Kid]) -> dict[int, dict[int, Staff]]:
    """Insert the pairings of every term; returns {term id: {child id: paired teacher}}."""
    rng = world.rng
    result: dict[int, dict[int, Staff]] = {}
    rows = []
    overloaded = 1 if school.index == 0 else 0  # the demo school shows the load warning once
    for term in school.terms:
        present = [k for k in kids if present_in(k, term, world)]
        pairs = assign(rng, school.teachers, present, overloaded)
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


class _Loads:
    """How many children each teacher may take and has taken."""

    def __init__(self, rng: random.Random, teachers: list[Staff], overloaded: int) -> None:
        self.capacity = {t.id: rng.choice(LOADS) for t in teachers}
        others = [t for t in teachers if t.username not in DEMO_LOGINS]
        for teacher in sample(rng, others, overloaded):
            self.capacity[teacher.id] = 4
        self.load: dict[int, int] = defaultdict(int)
        self.pairs: list[tuple[Staff, Kid]] = []

    def free(self, teachers: list[Staff]) -> list[Staff]:
        return [t for t in teachers if self.load[t.id] < self.capacity[t.id]]

    def give(self, teacher: Staff, kid: Kid) -> None:
        self.load[teacher.id] += 1
        self.pairs.append((teacher, kid))

    def settle_single(self, teacher: Staff) -> None:
        """A teacher with one child gets a second from a teacher with three, else hands the
        child to a teacher with two."""
        for index, (donor, kid) in enumerate(self.pairs):
            if donor.id != teacher.id and self.load[donor.id] == 3:
                self.pairs[index] = (teacher, kid)
                self.load[donor.id] -= 1
                self.load[teacher.id] += 1
                return
        mine = next(i for i, (t, _) in enumerate(self.pairs) if t.id == teacher.id)
        for other, _ in self.pairs:
            if other.id != teacher.id and self.load[other.id] == 2:
                self.pairs[mine] = (other, self.pairs[mine][1])
                self.load[teacher.id] -= 1
                self.load[other.id] += 1
                return


def assign(
    rng: random.Random, teachers: list[Staff], kids: list[Kid], overloaded: int = 0
) -> list[tuple[Staff, Kid]]:
    """(teacher, child) pairs for one term; see the module docstring for how they are chosen."""
    loads = _Loads(rng, teachers, overloaded)
    by_room: dict[int, list[Staff]] = defaultdict(list)
    for teacher in teachers:  # head teachers come first in the list, so they are asked first
        for room_id in teacher.room_ids:
            by_room[room_id].append(teacher)
    key = [k for k in kids if k.is_key]
    rng.shuffle(key)
    for kid in key:
        free = loads.free(by_room[kid.room.id]) or loads.free(teachers)
        if free:
            loads.give(min(free, key=lambda t: loads.load[t.id]), kid)
    waiting: dict[int, list[Kid]] = defaultdict(list)
    others = [k for k in kids if not k.is_key and k.lb != NONE]
    rng.shuffle(others)
    for kid in sorted(others, key=lambda k: k.lb != BOTH):
        waiting[kid.room.id].append(kid)
    quota = {room_id: rng.choice(PER_CLASS) for room_id in by_room}
    named: dict[int, int] = defaultdict(int)
    for _, kid in loads.pairs:
        named[kid.room.id] += 1
    progress = True
    while progress:  # one child per class and round, so every class gets its share
        progress = False
        for room_id, queue in waiting.items():
            free = loads.free(by_room[room_id])
            if queue and free and named[room_id] < quota[room_id]:
                loads.give(free[0], queue.pop(0))
                named[room_id] += 1
                progress = True
    leftover = [kid for queue in waiting.values() for kid in queue]
    for teacher in teachers:
        while loads.load[teacher.id] < 2 and leftover:
            mine = [k for k in leftover if k.room.id in teacher.room_ids]
            kid = (mine or leftover)[0]
            leftover.remove(kid)
            loads.give(teacher, kid)
    for teacher in teachers:  # a village school runs out of children: none is left with one
        if loads.load[teacher.id] == 1:
            loads.settle_single(teacher)
    return loads.pairs
