"""Care activities (关爱活动) of each term, the classes involved and who took part.

Every ActivityType happens at least once in a term (up to the anchor date). Left-behind children
attend about 90 % of the activities open to them, other children about 75 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.enums import ActivityType as A
from db.models import Activity, ActivityClassroom, Participation
from seed.context import Room, SchoolData, Term, World
from seed.kid import NONE, Kid
from seed.names import GRADE_NAMES

ALL_GRADES = (1, 2, 3, 4, 5, 6)
LEFT_BEHIND_ATTEND, OTHER_ATTEND = 0.9, 0.75
NEVER_ATTEND_LEFT_BEHIND, NEVER_ATTEND_OTHER = 2, 9  # percent of children
ABSENCE_NOTES = ["病假", "事假", "请假回家", None, None]


@dataclass(frozen=True)
class Plan:
    """One activity in the term's plan; `per_grade` makes one activity per grade."""

    kind: A
    title: str
    month: int
    day: int
    place: str
    organiser: str
    grades: tuple[int, ...] = ALL_GRADES
    left_behind_only: bool = False
    per_grade: bool = False


FALL = [
    Plan(A.OTHER, "开学第一课：防溺水安全教育", 9, 4, "学校操场", "德育处"),
    Plan(A.CLASS_MEETING, "“感恩父母”主题班会", 9, 10, "各班教室", "各班班主任", per_grade=True),
    Plan(A.FESTIVAL, "中秋节关爱活动：月圆情浓", 9, 24, "多功能教室", "少先队大队部",
         left_behind_only=True),
    Plan(A.FAMILY_CALL, "国庆前亲情视频通话日", 9, 29, "亲情电话室", "德育处",
         left_behind_only=True),
    Plan(A.HEALTH_CHECK, "秋季学生健康体检", 10, 13, "学校卫生室", "学校卫生室、镇卫生院"),
    Plan(A.OUTING, "走进茶园社会实践", 10, 16, "镇茶叶基地", "少先队大队部", grades=(5, 6)),
    Plan(A.READING, "读书月·好书伴成长", 10, 20, "学校图书室", "教导处"),
    Plan(A.COUNSELLING, "留守儿童团体心理辅导：我不孤单", 10, 29, "心理辅导室", "心理辅导室",
         grades=(4, 5, 6), left_behind_only=True),
    Plan(A.LABOUR, "劳动技能比赛：整理书包、叠衣服", 11, 6, "各班教室", "教导处"),
    Plan(A.PARENT_SCHOOL, "家长学校：隔代教育怎么做", 11, 14, "多功能教室", "德育处"),
    Plan(A.PERFORMANCE, "校园才艺展示", 11, 20, "学校操场", "少先队大队部", grades=(3, 4, 5, 6)),
    Plan(A.FESTIVAL, "元旦联欢会", 12, 31, "各班教室", "少先队大队部"),
]  # fmt: skip
SPRING = [
    Plan(A.CLASS_MEETING, "“我的梦想”主题班会", 3, 6, "各班教室", "各班班主任", per_grade=True),
    Plan(A.PARENT_SCHOOL, "家长学校：如何陪孩子写作业", 3, 21, "多功能教室", "德育处"),
    Plan(A.OUTING, "清明节烈士陵园祭扫", 4, 2, "县烈士陵园", "少先队大队部", grades=(5, 6)),
    Plan(A.HEALTH_CHECK, "春季视力筛查", 4, 9, "学校卫生室", "学校卫生室"),
    Plan(A.READING, "世界读书日：我读书我快乐", 4, 23, "学校图书室", "教导处"),
    Plan(A.LABOUR, "我是劳动小能手", 4, 29, "学校劳动基地", "教导处"),
    Plan(A.FAMILY_CALL, "母亲节亲情电话", 5, 8, "亲情电话室", "德育处", left_behind_only=True),
    Plan(A.OTHER, "防溺水安全教育讲座", 5, 15, "学校操场", "德育处"),
    Plan(A.COUNSELLING, "留守儿童团体心理辅导：阳光成长", 5, 22, "心理辅导室", "心理辅导室",
         grades=(3, 4, 5, 6), left_behind_only=True),
    Plan(A.PERFORMANCE, "六一儿童节文艺汇演", 5, 29, "学校操场", "少先队大队部"),
    Plan(A.FESTIVAL, "六一关爱留守儿童：送书包文具", 6, 1, "多功能教室", "校长室",
         left_behind_only=True),
]  # fmt: skip
PSYCH_TOPICS = [
    "认识我的情绪", "学会感恩", "我和我的家人", "与同学友好相处", "考试不紧张",
    "做最好的自己", "珍爱生命", "想家的时候怎么办",
]  # fmt: skip
PSYCH_DAYS = {"fall": [(9, 18), (10, 23), (11, 20), (12, 18), (1, 8)],
              "spring": [(3, 12), (4, 16), (5, 14), (6, 11)]}  # fmt: skip


def term_plans(term: Term) -> list[Plan]:
    fall = term.plan.start.month >= 8
    plans = list(FALL if fall else SPRING)
    for n, (month, day) in enumerate(PSYCH_DAYS["fall" if fall else "spring"]):
        title = f"心理健康课：{PSYCH_TOPICS[n % len(PSYCH_TOPICS)]}"
        plans.append(Plan(A.PSYCH_LESSON, title, month, day, "各班教室", "心理辅导室"))
    return plans


def plan_day(term: Term, plan: Plan) -> date:
    """The date of `plan` in `term` (January dates of an autumn term fall in the next year)."""
    year = term.plan.start.year + (1 if plan.month < term.plan.start.month else 0)
    return date(year, plan.month, plan.day)


def add_activities(world: World, school: SchoolData, kids: list[Kid]) -> None:
    """Insert each term's activities up to the anchor, their classes and participations."""
    rows, involved = [], []
    for term in school.terms:
        for plan in term_plans(term):
            day = plan_day(term, plan)
            if day > world.anchor or not term.plan.start <= day <= term.plan.end:
                continue
            groups = [(g,) for g in plan.grades] if plan.per_grade else [plan.grades]
            for grades in groups:
                title = plan.title
                if plan.per_grade:
                    title = f"{title}（{GRADE_NAMES[grades[0] - 1]}年级）"
                rows.append(activity_row(school, term, plan, title, day))
                involved.append((plan, day, [r for r in school.rooms if r.grade in grades]))
    ids = world.writer.insert(Activity, rows, returning=True)
    by_room: dict[int, list[Kid]] = {}
    for kid in kids:
        by_room.setdefault(kid.room.id, []).append(kid)
    links, participations = [], []
    for activity_id, (plan, day, rooms) in zip(ids, involved, strict=True):
        links += [room_link(school, activity_id, room) for room in rooms]
        for room in rooms:
            for kid in by_room.get(room.id, []):
                if plan.left_behind_only and kid.lb == NONE:
                    continue
                if kid.enrolled_on <= day and (kid.left_on is None or kid.left_on > day):
                    participations.append(participation_row(world, school, activity_id, kid))
    world.writer.insert(ActivityClassroom, links)
    world.writer.insert(Participation, participations)


def activity_row(school: SchoolData, term: Term, plan: Plan, title: str, day: date) -> dict:
    audience = "留守儿童" if plan.left_behind_only else "学生"
    grades = "全校" if plan.grades == ALL_GRADES else f"{plan.grades[0]}–{plan.grades[-1]}年级"
    if plan.per_grade:
        grades = "本年级"
    return {
        "school_id": school.id,
        "term_id": term.id,
        "title": title,
        "activity_type": plan.kind,
        "activity_date": day,
        "place": plan.place,
        "organiser": plan.organiser,
        "description": f"{plan.organiser}组织{grades}{audience}开展{plan.title}。",
        "created_by": school.admin_id,
    }


def room_link(school: SchoolData, activity_id: int, room: Room) -> dict:
    return {
        "school_id": school.id,
        "activity_id": activity_id,
        "classroom_id": room.id,
        "created_by": school.admin_id,
    }


def never_attends(kid: Kid) -> bool:
    """A few children take part in nothing (illness, a long way home): the risk list shows them,
    and "took part in at least one activity" stays below 100 %."""
    share = NEVER_ATTEND_LEFT_BEHIND if kid.lb != NONE else NEVER_ATTEND_OTHER
    return (kid.id * 7919) % 100 < share


def participation_row(world: World, school: SchoolData, activity_id: int, kid: Kid) -> dict:
    rng = world.rng
    draw = rng.random()  # always drawn, so the rest of the sequence does not depend on the rule
    attended = not never_attends(kid) and draw < (
        LEFT_BEHIND_ATTEND if kid.lb != NONE else OTHER_ATTEND
    )
    return {
        "school_id": school.id,
        "activity_id": activity_id,
        "child_id": kid.id,
        "attended": attended,
        "note": None if attended else rng.choice(ABSENCE_NOTES),
        "created_by": kid.room.head_teacher_id,
    }
