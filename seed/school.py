"""A school's frame: the school row, terms, staff, classes, teaching assignments, contact rules."""

from __future__ import annotations

import math
import random
from collections import defaultdict

from db.enums import Role
from db.models import Classroom, School, TeachingAssignment, Term, User
from seed import names
from seed.context import Room, SchoolData, Staff, World, sample, shares
from seed.context import Term as TermRef
from seed.schoolyear import TermDays
from services.compliance.default_rules import DEFAULT_RULES, install_default_rules

MAX_CLASS_SIZE = 45
SUBJECT_TEACHERS_PER_CLASS = 0.7  # with one head teacher per class: ~1.7 teachers per class
DEFAULT_RATES = (0.85, 0.95)  # share of due contacts most head teachers log
LAGGING_RATES = (0.4, 0.6)
VILLAGE_SCHOOL_SIZE = 150  # fewer children: a village school (村小), not a town's central school


def add_school(
    world: World, index: int, n_children: int, rates: tuple[float, float] = DEFAULT_RATES
) -> SchoolData:
    """School, terms, staff, classes, teaching assignments and contact rules; `rates` is the
    school's compliance level (see set_contact_rates)."""
    rng, writer = world.rng, world.writer
    town = names.TOWNS[index % len(names.TOWNS)]
    villages = sample(rng, names.VILLAGES, 8)
    row = {
        "name": school_name(world, index, n_children),
        "county": world.county,
        "code": f"2143{index + 1:06d}",  # shaped like a 10-digit 学校标识码
    }
    school_id = writer.insert(School, [row], returning=True)[0]
    term_rows = [plan.row() | {"school_id": school_id} for plan in world.plans]
    term_ids = writer.insert(Term, term_rows, returning=True)
    terms = [
        TermRef(plan, term_id, TermDays(plan))
        for plan, term_id in zip(world.plans, term_ids, strict=True)
    ]
    layout = class_layout(rng, n_children)
    staff = add_staff(world, school_id, index, layout)
    rooms = add_rooms(world, school_id, layout, staff)
    school = SchoolData(
        index=index,
        id=school_id,
        town=town,
        villages=villages,
        admin_id=staff["admin"][0][0],
        principal_id=staff["principal"][0][0],
        counsellor_id=staff["counsellor"][0][0],
        terms=terms,
        rooms=rooms,
        teachers=teachers(rooms, staff),
    )
    set_contact_rates(rng, school, rates)
    add_teaching_assignments(world, school)
    install_default_rules(writer.session, school_id, created_by=school.admin_id)
    writer.summary["contact_rules"] = writer.summary.get("contact_rules", 0) + len(DEFAULT_RULES)
    return school


def school_name(world: World, index: int, n_children: int) -> str:
    """青山县石桥镇中心小学 for the first school of each town, then village schools (村小) — and
    for a school too small to be a town's central school."""
    town = names.TOWNS[index % len(names.TOWNS)]
    if index < len(names.TOWNS) and n_children >= VILLAGE_SCHOOL_SIZE:
        return f"{world.county}{town}中心小学"
    villages = names.VILLAGES
    for step in range(len(villages)):
        village = villages[(index * 7 + step) % len(villages)].removesuffix("村")
        name = f"{world.county}{town}{village}小学"
        if name not in world.school_names:
            world.school_names.add(name)
            return name
    return f"{world.county}{town}第{index + 1}小学"


def add_staff(
    world: World, school_id: int, index: int, layout: list[tuple[int, int, int]]
) -> dict[str, list[tuple[int, str]]]:
    """Insert the school's users; returns (id, username) lists by job: admin, principal,
    counsellor, head (one per class, in layout order) and subject teachers."""
    demo = index == 0
    suffix = "" if demo else f"_s{index + 1}"
    jobs: list[tuple[str, str, Role]] = [
        ("admin", "admin" + suffix, Role.ADMIN),
        ("principal", "principal" + suffix, Role.PRINCIPAL),
        ("counsellor", "counsellor" + suffix, Role.COUNSELLOR),
    ]
    for grade, number, _ in layout:
        demo_head = demo and (grade, number) == (3, 1)
        username = "head_teacher" if demo_head else world.next_username()
        jobs.append(("head", username, Role.HEAD_TEACHER))
    for j in range(max(2, round(SUBJECT_TEACHERS_PER_CLASS * len(layout)))):
        username = "teacher" if demo and j == 0 else world.next_username()
        jobs.append(("subject", username, Role.TEACHER))
    rows = [user_row(world, school_id, username, role) for _, username, role in jobs]
    ids = world.writer.insert(User, rows, returning=True)
    staff: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (job, username, _), user_id in zip(jobs, ids, strict=True):
        staff[job].append((user_id, username))
    return staff


def add_rooms(
    world: World,
    school_id: int,
    layout: list[tuple[int, int, int]],
    staff: dict[str, list[tuple[int, str]]],
) -> list[Room]:
    rows = [
        {
            "school_id": school_id,
            "grade": grade,
            "number": number,
            "name": f"{names.GRADE_NAMES[grade - 1]}年级({number})班",
            "head_teacher_id": head_id,
            "created_by": staff["admin"][0][0],
        }
        for (grade, number, _), (head_id, _) in zip(layout, staff["head"], strict=True)
    ]
    ids = world.writer.insert(Classroom, rows, returning=True)
    return [
        Room(room_id, row["grade"], row["number"], row["name"], row["head_teacher_id"], 0.9, size)
        for room_id, row, (*_, size) in zip(ids, rows, layout, strict=True)
    ]


def teachers(rooms: list[Room], staff: dict[str, list[tuple[int, str]]]) -> list[Staff]:
    """Head teachers (their own class) then subject teachers, each teaching a run of classes."""
    result = [
        Staff(head_id, username, [room.id], 0.9, is_head=True)
        for room, (head_id, username) in zip(rooms, staff["head"], strict=True)
    ]
    subject = staff["subject"]
    taught = min(len(rooms), max(3, round(len(rooms) * 3 / len(subject))))
    for j, (user_id, username) in enumerate(subject):
        first = j * len(rooms) // len(subject)
        room_ids = [rooms[(first + t) % len(rooms)].id for t in range(taught)]
        result.append(Staff(user_id, username, room_ids, 0.9, is_head=False))
    return result


def class_layout(rng: random.Random, n_children: int) -> list[tuple[int, int, int]]:
    """(grade, class number, children) for grades 1–6, classes of at most MAX_CLASS_SIZE."""
    per_grade = shares(n_children, [rng.uniform(0.9, 1.1) for _ in range(6)])
    layout = []
    for grade, size in enumerate(per_grade, start=1):
        n_rooms = max(1, math.ceil(size / MAX_CLASS_SIZE))
        for number, room_size in enumerate(shares(size, [1] * n_rooms), start=1):
            layout.append((grade, number, room_size))
    return layout


def set_contact_rates(rng: random.Random, school: SchoolData, rates: tuple[float, float]) -> None:
    """Most head teachers log a share of due contacts in `rates`; a few classes (2–3 in a school of
    a dozen classes or more, about 10 % in big ones, at most one in a village school) and about a
    fifth of the subject teachers lag at 40–60 %."""
    for room in school.rooms:
        room.rate = rng.uniform(*rates)
    demo_room = (0, 3, 1)
    candidates = [r for r in school.rooms if (school.index, r.grade, r.number) != demo_room]
    n_rooms = len(school.rooms)
    if n_rooms < 12:
        n_lagging = rng.choice([0, 1])
    else:
        n_lagging = rng.choice([2, 3]) if n_rooms <= 24 else round(n_rooms * 0.1)
    for room in sample(rng, candidates, n_lagging):
        room.rate = rng.uniform(*LAGGING_RATES)
    by_room = {room.id: room.rate for room in school.rooms}
    subject = [t for t in school.teachers if not t.is_head]
    for teacher in school.teachers:
        teacher.rate = by_room[teacher.room_ids[0]] if teacher.is_head else rng.uniform(*rates)
    lagging = [t for t in subject if t.username != "teacher"]
    for teacher in sample(rng, lagging, max(1, round(len(subject) * 0.2))):
        teacher.rate = rng.uniform(*LAGGING_RATES)


def add_teaching_assignments(world: World, school: SchoolData) -> None:
    rows = []
    for j, teacher in enumerate(school.teachers):
        for room_id in teacher.room_ids:
            subject = (
                world.rng.choice(names.HEAD_TEACHER_SUBJECTS)
                if teacher.is_head
                else names.SUBJECTS[j % len(names.SUBJECTS)]
            )
            rows.append(
                {
                    "school_id": school.id,
                    "user_id": teacher.id,
                    "classroom_id": room_id,
                    "subject": subject,
                    "created_by": school.admin_id,
                }
            )
    world.writer.insert(TeachingAssignment, rows)


def user_row(world: World, school_id: int | None, username: str, role: Role) -> dict:
    """A user with a realistic name; most rural primary teachers are women."""
    rng = world.rng
    pool = names.WOMAN_NAMES if rng.random() < 0.6 else names.MAN_NAMES
    return {
        "school_id": school_id,
        "county": world.county,
        "username": username,
        "display_name": world.namer.full(pool),
        "role": role,
        "password_hash": world.password_hash,
        "active": True,
        "failed_logins": 0,
        "must_change_password": False,
        "phone": world.phones.new(),
    }


def add_bureau_user(world: World) -> None:
    """The county education bureau's single login; it belongs to no school."""
    world.writer.insert(User, [user_row(world, None, "bureau", Role.BUREAU)])
