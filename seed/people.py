"""Children and their families: the child record, parents, guardian, left-behind history."""

from __future__ import annotations

import random
from datetime import date, timedelta

from db.enums import EnrolmentStatus, Gender, KeyReason
from db.models import Child, LeftBehindHistory
from seed import names, phrases
from seed.context import Room, SchoolData, Weighted, World, sample
from seed.family import FamilyBuilder
from seed.kid import BOTH, DAY, FATHER, MOTHER, NONE, Kid
from seed.schoolyear import school_year_start

# Fields a head teacher sometimes leaves empty (so 建档率 is below 100 %).
ARCHIVE_GAP_FIELDS = [
    "guardian_education",
    "guardian_health",
    "guardian_age",
    "personality",
    "hobbies",
    "archive_date",
]
LB_KEY_REASONS = Weighted(
    [
        (KeyReason.PSYCHOLOGY, 30),
        (KeyReason.STUDY, 30),
        (KeyReason.NO_GUARDIANSHIP, 15),
        (KeyReason.ECONOMIC, 15),
        (KeyReason.BEHAVIOUR, 10),
        (KeyReason.HEALTH, 5),
    ]
)
OTHER_KEY_REASONS = [KeyReason.ECONOMIC, KeyReason.HEALTH, KeyReason.STUDY, KeyReason.BEHAVIOUR]


class Flags:
    """Which children get which trait: exact counts per school, so shares stay in range."""

    def __init__(self, rng: random.Random, n: int) -> None:
        order = list(range(n))
        rng.shuffle(order)
        n_lb = round(n * rng.uniform(0.67, 0.73))
        lb, other = order[:n_lb], order[n_lb:]
        n_both = round(n_lb * rng.uniform(0.37, 0.43))
        n_mother = round(n_lb * rng.uniform(0.13, 0.17))
        self.type = dict.fromkeys(other, NONE)
        self.type |= dict.fromkeys(lb[:n_both], BOTH)
        self.type |= dict.fromkeys(lb[n_both : n_both + n_mother], MOTHER)
        self.type |= dict.fromkeys(lb[n_both + n_mother :], FATHER)
        n_key = round(n * rng.uniform(0.07, 0.09))
        n_key_lb = round(n_key * 0.85)
        self.key = set(sample(rng, lb, n_key_lb) + sample(rng, other, n_key - n_key_lb))
        plain = [i for i in order if i not in self.key]
        few = max(1, round(n * 0.01)) if n >= 50 else 0
        self.transferred = set(plain[:few])
        self.joined = set(plain[few : 2 * few])
        plain_lb = [i for i in lb if i not in self.key and i not in self.transferred]
        self.silent = set(sample(rng, plain_lb, round(n_lb * 0.015)))
        self.phone_gap = set(sample(rng, lb, round(n_lb * 0.015)))
        self.archive_gap = set(sample(rng, order, round(n * 0.05)))
        both = lb[:n_both]
        self.type_change = set(sample(rng, both, max(1, round(n_lb * 0.02)) if both else 0))


def add_children(world: World, school: SchoolData) -> list[Kid]:
    """Generate and insert every child of `school` (room sizes are already set)."""
    rng = world.rng
    rooms = [room for room in school.rooms for _ in range(room.size)]
    flags = Flags(rng, len(rooms))
    builder = ChildBuilder(world, school)
    kids = [builder.build(i, room, flags) for i, room in enumerate(rooms)]
    ids = world.writer.insert(Child, [k.row for k in kids], returning=True)
    for kid, kid_id in zip(kids, ids, strict=True):
        kid.id = kid_id
    world.writer.insert(LeftBehindHistory, history_rows(kids, school))
    return kids


def history_rows(kids: list[Kid], school: SchoolData) -> list[dict]:
    rows = []
    for kid in kids:
        if kid.lb == NONE or kid.lb_since is None:
            continue
        base = {"school_id": school.id, "child_id": kid.id, "created_by": school.admin_id}
        start, note = kid.lb_since, None
        if kid.lb_change:
            earlier, changed = kid.lb_change
            rows.append(
                base
                | {"left_behind_type": earlier, "valid_from": start}
                | {"valid_to": changed - DAY, "note": None}
            )
            start, note = changed, "另一方家长也外出务工，转为双亲外出"
        rows.append(
            base | {"left_behind_type": kid.lb, "valid_from": start, "valid_to": None, "note": note}
        )
    return rows


class ChildBuilder:
    def __init__(self, world: World, school: SchoolData) -> None:
        self.world = world
        self.rng = world.rng
        self.school = school
        self.namer = world.namer
        self.year = school_year_start(world.anchor)
        self.term_start = world.plans[-1].start
        self.villages = Weighted([(v, 8 - i) for i, v in enumerate(school.villages)])
        self.family = FamilyBuilder(world)
        self.ethnicity = Weighted(names.ETHNICITIES)
        self.study = Weighted(phrases.STUDY_LEVELS)
        self.health = Weighted(phrases.HEALTH_NOTES)
        self.serials: set[str] = set()
        self.names_by_room: dict[int, set[str]] = {}

    def unique_in_room(self, room: Room, surname: str, pool: list[str]) -> str:
        """A name no other child of the class has (a teacher would not believe three 李嘉豪)."""
        taken = self.names_by_room.setdefault(room.id, set())
        name = surname + self.rng.choice(pool)
        for _ in range(20):
            if name not in taken:
                break
            name = surname + self.rng.choice(pool)
        taken.add(name)
        return name

    def build(self, i: int, room: Room, flags: Flags) -> Kid:
        rng, anchor = self.rng, self.world.anchor
        lb = flags.type[i]
        gender = Gender.MALE if rng.random() < 0.53 else Gender.FEMALE
        father_surname = self.namer.surname()
        surname = father_surname if rng.random() < 0.95 else self.namer.surname()
        pool = names.BOY_NAMES if gender == Gender.MALE else names.GIRL_NAMES
        grade_age = room.grade + 6 + (1 if rng.random() < 0.05 else 0)
        born = date(self.year - grade_age, 9, 1) + timedelta(rng.randrange(365))
        enrolled = date(self.year - room.grade + 1, 9, 1)
        row = {
            "school_id": self.school.id,
            "student_no": self.student_no(born, gender),
            "name": self.unique_in_room(room, surname, pool),
            "gender": gender,
            "birth_date": born,
            "ethnicity": self.ethnicity.draw(rng),
            "id_card_no": None,
            "classroom_id": room.id,
            "enrolment_status": EnrolmentStatus.ENROLLED,
            "left_on": None,
            "boarding": rng.random() < (0.2 if room.grade >= 4 else 0.05 if room.grade == 3 else 0),
            "disability": rng.choice(phrases.DISABILITIES) if rng.random() < 0.005 else None,
            "created_by": self.school.admin_id,
        }
        village = self.villages.draw(rng)
        row["village"] = village
        row["home_address"] = (
            f"{self.world.county}{self.school.town}{village}{rng.choice(names.VILLAGE_GROUPS)}"
        )
        kid = Kid(row, room, lb, None, enrolled, None, i in flags.key, "")
        self.family.parents(kid, father_surname, born, i in flags.type_change)
        self.family.guardian(kid, father_surname, i in flags.phone_gap)
        self.add_profile(kid)
        days_in_term = (anchor - self.term_start).days
        if i in flags.joined and days_in_term > 40:
            kid.enrolled_on = self.term_start + timedelta(rng.randint(10, 40))
        if i in flags.transferred and days_in_term > 40:
            kid.left_on = self.term_start + timedelta(rng.randint(25, days_in_term - 10))
            row["enrolment_status"] = EnrolmentStatus.TRANSFERRED
            row["left_on"] = kid.left_on
        row["enrolled_on"] = kid.enrolled_on
        start = max(kid.enrolled_on, self.term_start)
        row["archive_date"] = min(anchor, start + timedelta(rng.randint(2, 20)))
        if i in flags.silent:
            kid.silent_from = anchor - timedelta(rng.randint(62, 100))
        kid.reach = 0.75 if rng.random() < 0.1 else 1.0
        if i in flags.archive_gap:
            for name in sample(rng, ARCHIVE_GAP_FIELDS, rng.randint(1, 2)):
                row[name] = None
        return kid

    def student_no(self, born: date, gender: Gender) -> str:
        """学籍号 in the national form: G + an ID-number-like 18 characters (county code 4399xx
        is not a real region, so no generated number can be a real person's)."""
        while True:
            seq = self.rng.randrange(100) * 10 + self.rng.randrange(gender == Gender.MALE, 10, 2)
            body = f"439901{born:%Y%m%d}{seq:03d}"
            body += check_digit(body)
            if body not in self.serials:
                self.serials.add(body)
                return "G" + body

    def add_profile(self, kid: Kid) -> None:
        rng, row = self.rng, kid.row
        reasons: list[str] = []
        if kid.is_key and kid.lb != NONE:
            while len(reasons) < (1 if rng.random() < 0.6 else 2):
                reason = LB_KEY_REASONS.draw(rng).value
                if reason not in reasons:
                    reasons.append(reason)
        elif kid.is_key:
            reasons = [rng.choice(OTHER_KEY_REASONS).value]
        study = self.study.draw(rng)
        if KeyReason.STUDY in reasons:
            study = rng.choice(["中", "差", "差"])
        psychology = None
        if KeyReason.PSYCHOLOGY in reasons or (kid.lb != NONE and rng.random() < 0.08):
            psychology = rng.choice(phrases.PSYCHOLOGY_NOTES)
        row |= {
            "personality": rng.choice(phrases.PERSONALITIES),
            "hobbies": "、".join(sample(rng, phrases.HOBBIES, rng.randint(1, 2))),
            "study_level": study,
            "health_notes": self.health.draw(rng),
            "psychology_notes": psychology,
            "is_key": kid.is_key,
            "key_reasons": reasons,
            "left_behind_type": kid.lb,
            "left_behind_since": kid.lb_since,
        }


def check_digit(body: str) -> str:
    """The 18th character of an ID number from its first 17 (ISO 7064 MOD 11-2)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]
