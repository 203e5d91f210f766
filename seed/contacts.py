"""Home–school contacts (家校联系记录) over the window: what the default rules ask for, with gaps.

Per left-behind child and month: contacts with the guardian, calls with the away parent(s), the
child's own call or letter home; a home visit per term phase; a parents' meeting per term; weekly
talks with key children by the paired teacher; now and then a word with other children's parents.
Each month's contacts of a kind happen with the class's (or paired teacher's) rate, so some
classes fall behind.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from db.enums import ContactChannel, ContactOutcome, Counterpart
from db.models import Contact
from seed import texts
from seed.context import SchoolData, Staff, Term, Weighted, World
from seed.kid import BOTH, FATHER, MOTHER, NONE, Kid

PHONE, VIDEO, LETTER = ContactChannel.PHONE, ContactChannel.VIDEO, ContactChannel.LETTER
MEETING, HOME_VISIT = ContactChannel.MEETING, ContactChannel.HOME_VISIT
GUARDIAN_CHANNELS = Weighted([(PHONE, 55), (MEETING, 30), (VIDEO, 10), (HOME_VISIT, 5)])
FAMILY_CALL_CHANNELS = Weighted([(PHONE, 55), (VIDEO, 35), (LETTER, 10)])
PARENT_CALLS = {Counterpart.FATHER: "爸爸", Counterpart.MOTHER: "妈妈"}
AWAY = {
    FATHER: [Counterpart.FATHER],
    MOTHER: [Counterpart.MOTHER],
    BOTH: [Counterpart.FATHER, Counterpart.MOTHER],
}
# Contacts beyond what the rules ask: each number is the chance of one more contact of that kind
# in a month once the first is made (boarding children call home about weekly). OTHER_CHILD is the
# monthly chance of a word with the parents of a child who is not left-behind. Together they give
# about 200,000 contacts for 5,000 children over 12 months (DESIGN.md §9).
GUARDIAN_EXTRA = (0.95, 0.6, 0.35)
PARENT_EXTRA = (0.85, 0.35)
FAMILY_CALL_EXTRA = (0.6,)
FAMILY_CALL_EXTRA_BOARDING = (0.9, 0.8, 0.6)
OTHER_CHILD = 0.6
FULL_MONTH_DAYS = 20
CONCERN_RATE, FOLLOW_UP_RATE = 0.12, 0.6
# Talks with a child whose parents are at home do not mention missing them.
TALKS = {
    False: (
        texts.TALK_OPENINGS,
        texts.TALK_BODIES + texts.TALK_BODIES_MISSING_PARENT,
        texts.TALK_CLOSINGS,
    ),
    True: (texts.TALK_OPENINGS, texts.TALK_BODIES, texts.TALK_CLOSINGS),
}
HOME_VISIT_TEXT = (texts.HOME_VISIT_OPENINGS, texts.HOME_VISIT_BODIES, texts.HOME_VISIT_CLOSINGS)
OTHER_CHILD_TEXT = (
    texts.OTHER_CHILD_OPENINGS,
    texts.OTHER_CHILD_BODIES,
    texts.OTHER_CHILD_CLOSINGS,
)
PARENTS_MEETING_TEXT = (
    texts.PARENTS_MEETING_OPENINGS,
    texts.PARENTS_MEETING_BODIES,
    texts.PARENTS_MEETING_CLOSINGS,
)


def add_contacts(
    world: World, school: SchoolData, kids: list[Kid], paired: dict[int, dict[int, Staff]]
) -> None:
    writer = ContactWriter(world, school)
    for term in school.terms:
        lo = max(term.plan.start, world.window_start)
        hi = min(term.plan.end, world.anchor)
        if lo > hi:
            continue
        writer.term(term, lo, hi, kids, paired.get(term.id, {}))
        writer.flush()


def extra(rng: random.Random, chances: tuple[float, ...], part: float) -> int:
    """1 plus one more for each chance that comes up (scaled by the part of the month)."""
    return 1 + sum(rng.random() < chance * part for chance in chances)


def month_part(lo: date, hi: date) -> float:
    """How much of a month [lo, hi] is: a term's first or last few days see fewer contacts
    than a whole month (they are not all crammed into those days)."""
    return min(1.0, ((hi - lo).days + 1) / FULL_MONTH_DAYS)


def clip(periods: list[tuple[date, date]], lo: date, hi: date) -> list[tuple[date, date]]:
    return [(max(a, lo), min(b, hi)) for a, b in periods if a <= hi and b >= lo]


# What the teacher ticks besides the summary: what the channel was (no RNG: the rest stays put).
OUTCOME_OF = {
    ContactChannel.HOME_VISIT: ContactOutcome.VISITED,
    ContactChannel.PHONE: ContactOutcome.TALKED,
    ContactChannel.VIDEO: ContactOutcome.TALKED,
    ContactChannel.LETTER: ContactOutcome.WROTE,
    ContactChannel.MEETING: ContactOutcome.MET,
    ContactChannel.PARENTS_MEETING: ContactOutcome.MET,
}


class ContactWriter:
    def __init__(self, world: World, school: SchoolData) -> None:
        self.world = world
        self.rng = world.rng
        self.school = school
        self.rows: list[dict] = []
        self.texts = texts.Writer(world.rng)

    def flush(self) -> None:
        self.world.writer.insert(Contact, self.rows)
        self.rows = []

    def term(
        self, term: Term, lo: date, hi: date, kids: list[Kid], paired: dict[int, Staff]
    ) -> None:
        months = clip(term.days.months(), lo, hi)
        weeks = clip(term.days.weeks(), lo, hi)
        phases: dict[str, tuple[date, date]] = {}
        for name, period in term.plan.phases.items():
            for span in clip([period], lo, hi):
                phases[name] = span
        middle_from, middle_to = term.plan.phases["middle"]
        meeting_day = term.days.pick(self.rng, middle_from, middle_to)
        if meeting_day and not lo <= meeting_day <= hi:
            meeting_day = None
        for kid in kids:
            head_rate = kid.room.rate * kid.reach
            if kid.lb != NONE:
                self.left_behind(term, kid, months, phases, head_rate)
            else:
                self.other_child(term, kid, months)
            if meeting_day:
                self.parents_meeting(kid, meeting_day)
            if kid.is_key:
                self.weekly_talks(term, kid, weeks, paired.get(kid.id))
            if len(self.rows) >= 20_000:
                self.flush()

    def left_behind(
        self,
        term: Term,
        kid: Kid,
        months: list[tuple[date, date]],
        phases: dict[str, tuple[date, date]],
        rate: float,
    ) -> None:
        rng, head = self.rng, kid.room.head_teacher_id
        away = AWAY[kid.lb]
        calls = FAMILY_CALL_EXTRA_BOARDING if kid.row["boarding"] else FAMILY_CALL_EXTRA
        for first, last in months:
            lo, hi = kid.window(first, last)
            if lo > hi:
                continue
            part = month_part(lo, hi)
            if rng.random() < rate * part:
                for _ in range(extra(rng, GUARDIAN_EXTRA, part)):
                    channel = GUARDIAN_CHANNELS.draw(rng)
                    self.add(term, kid, head, lo, hi, channel, Counterpart.GUARDIAN)
            if rng.random() < rate * part:
                parent = rng.choice(away)
                for _ in range(extra(rng, PARENT_EXTRA, part)):
                    self.add(term, kid, head, lo, hi, rng.choice([PHONE, PHONE, VIDEO]), parent)
                    parent = away[-1] if parent == away[0] else away[0]  # then the other one
            if rng.random() < rate * part:
                for _ in range(extra(rng, calls, part)):
                    channel = FAMILY_CALL_CHANNELS.draw(rng)
                    self.add(term, kid, head, lo, hi, channel, Counterpart.CHILD)
        for phase, (first, last) in phases.items():
            lo, hi = kid.window(first, last)
            # The middle-phase visit is the one most often skipped.
            if lo <= hi and rng.random() < rate * (0.9 if phase == "middle" else 1.0):
                self.add(term, kid, head, lo, hi, HOME_VISIT, Counterpart.GUARDIAN, visit=True)

    def other_child(self, term: Term, kid: Kid, months: list[tuple[date, date]]) -> None:
        for first, last in months:
            lo, hi = kid.window(first, last, left_behind=False)
            if lo <= hi and self.rng.random() < OTHER_CHILD * kid.room.rate * month_part(lo, hi):
                parent = Counterpart.MOTHER if self.rng.random() < 0.6 else Counterpart.FATHER
                channel = PHONE if self.rng.random() < 0.7 else MEETING
                self.add(term, kid, kid.room.head_teacher_id, lo, hi, channel, parent)

    def parents_meeting(self, kid: Kid, day: date) -> None:
        lo, hi = kid.window(day, day, left_behind=False)
        if lo <= hi and self.rng.random() < (0.75 if kid.lb != NONE else 0.85):
            counterpart = Counterpart.GUARDIAN if kid.lb != NONE else Counterpart.MOTHER
            rel = kid.guardian_call if kid.lb != NONE else PARENT_CALLS[Counterpart.MOTHER]
            text = self.texts.write(PARENTS_MEETING_TEXT, name=kid.given_name, rel=rel)
            self.rows.append(
                self.row(kid, kid.room.head_teacher_id, day, ContactChannel.PARENTS_MEETING)
                | {"counterpart": counterpart, "summary": text}
            )

    def weekly_talks(
        self, term: Term, kid: Kid, weeks: list[tuple[date, date]], teacher: Staff | None
    ) -> None:
        """Key children talk with their paired teacher weekly; unpaired ones now and then with the
        head teacher."""
        teacher_id = teacher.id if teacher else kid.room.head_teacher_id
        rate = teacher.rate if teacher else kid.room.rate * 0.6
        for first, last in weeks:
            lo, hi = kid.window(first, last, left_behind=False)
            if lo <= hi and self.rng.random() < rate:
                self.add(term, kid, teacher_id, lo, hi, MEETING, Counterpart.CHILD)

    def add(
        self,
        term: Term,
        kid: Kid,
        teacher_id: int,
        lo: date,
        hi: date,
        channel: ContactChannel,
        counterpart: Counterpart,
        visit: bool = False,
    ) -> None:
        day = term.days.pick(self.rng, lo, hi, visit=visit or channel == HOME_VISIT)
        if day is None:
            return
        row = self.row(kid, teacher_id, day, channel)
        row["counterpart"] = counterpart
        row["summary"] = self.summary(kid, day, channel, counterpart)
        self.rows.append(row)

    def row(self, kid: Kid, teacher_id: int, day: date, channel: ContactChannel) -> dict:
        rng = self.rng
        concerns = None
        if rng.random() < CONCERN_RATE:
            concerns = rng.choice(texts.CONCERNS).format(name=kid.given_name)
        follow_up = concerns is not None and rng.random() < FOLLOW_UP_RATE
        return {
            "school_id": self.school.id,
            "child_id": kid.id,
            "teacher_id": teacher_id,
            "contact_date": day,
            "channel": channel,
            "outcome": OUTCOME_OF[channel],
            "concerns": concerns,
            "follow_up_needed": follow_up,
            "follow_up_date": day + timedelta(rng.randint(7, 14)) if follow_up else None,
            "created_by": teacher_id,
        }

    def summary(
        self, kid: Kid, day: date, channel: ContactChannel, counterpart: Counterpart
    ) -> str:
        """What the teacher wrote: composed for this child, never the same twice in a school."""
        parent = PARENT_CALLS.get(counterpart)
        if parent is None:  # the child's own contact: with the (or an) away parent
            parent = PARENT_CALLS[self.rng.choice(AWAY.get(kid.lb, AWAY[BOTH]))]
        if kid.lb == NONE and counterpart != Counterpart.CHILD:
            parts = OTHER_CHILD_TEXT
        elif channel == HOME_VISIT:
            parts = HOME_VISIT_TEXT
        elif counterpart == Counterpart.GUARDIAN:
            openings = texts.GUARDIAN_OPENINGS[channel.value]
            parts = (openings, texts.GUARDIAN_BODIES, texts.GUARDIAN_CLOSINGS)
        elif counterpart != Counterpart.CHILD:
            openings = texts.PARENT_OPENINGS[channel.value]
            parts = (openings, texts.PARENT_BODIES, texts.PARENT_CLOSINGS)
        elif channel == MEETING:
            parts = TALKS[kid.lb == NONE]
        else:
            kind = "letter" if channel == LETTER else "spoken"
            openings = texts.FAMILY_CALL_OPENINGS[channel.value]
            parts = (openings, texts.FAMILY_CALL_BODIES[kind], texts.FAMILY_CALL_CLOSINGS[kind])
        names = {"name": kid.given_name, "rel": kid.guardian_call, "parent": parent}
        return self.texts.write(parts, day, **names)
