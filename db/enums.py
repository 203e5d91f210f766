"""Glossary enums (DESIGN.md §2). Values are stored; display names come from locales/."""

from __future__ import annotations

from enum import StrEnum


class LeftBehindType(StrEnum):
    BOTH = "both"
    FATHER = "father"
    MOTHER = "mother"
    NONE = "none"


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    TRANSFERRED = "transferred"
    DROPPED_OUT = "dropped_out"
    GRADUATED = "graduated"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Role(StrEnum):
    ADMIN = "admin"
    PRINCIPAL = "principal"
    HEAD_TEACHER = "head_teacher"
    TEACHER = "teacher"
    COUNSELLOR = "counsellor"
    BUREAU = "bureau"


class ContactChannel(StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    VIDEO = "video"
    LETTER = "letter"
    MEETING = "meeting"
    PARENTS_MEETING = "parents_meeting"


class ContactOutcome(StrEnum):
    """What came of a contact, chosen instead of (or besides) a written summary."""

    TALKED = "talked"  # 已通话
    VISITED = "visited"  # 已家访
    MET = "met"  # 已面谈
    WROTE = "wrote"  # 已通信
    NO_ANSWER = "no_answer"  # 未接通: recorded, but meets no rule


class Counterpart(StrEnum):
    FATHER = "father"
    MOTHER = "mother"
    GUARDIAN = "guardian"
    CHILD = "child"


class KeyReason(StrEnum):
    STUDY = "study"
    PSYCHOLOGY = "psychology"
    BEHAVIOUR = "behaviour"
    ECONOMIC = "economic"
    HEALTH = "health"
    NO_GUARDIANSHIP = "no_guardianship"


class RuleWho(StrEnum):
    HEAD_TEACHER = "head_teacher"
    PAIRED_TEACHER = "paired_teacher"
    ANY = "any"


class Cadence(StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    TERM_PHASE = "term_phase"


class RuleAppliesTo(StrEnum):
    LEFT_BEHIND = "left_behind"
    KEY = "key"


class TermPhase(StrEnum):
    START = "start"
    MIDDLE = "middle"
    END = "end"


class ActivityType(StrEnum):
    CLASS_MEETING = "class_meeting"  # 主题班会
    FESTIVAL = "festival"  # 节日关爱
    PERFORMANCE = "performance"  # 文艺演出/才艺比赛
    READING = "reading"  # 读书/演讲/书画
    OUTING = "outing"  # 社会实践/户外
    LABOUR = "labour"  # 劳动技能
    PSYCH_LESSON = "psych_lesson"  # 心理健康课
    COUNSELLING = "counselling"  # 心理辅导/咨询
    PARENT_SCHOOL = "parent_school"  # 家长学校/监护人培训
    FAMILY_CALL = "family_call"  # 亲情电话/视频
    HEALTH_CHECK = "health_check"  # 体检
    OTHER = "other"


class AidKind(StrEnum):
    TWO_EXEMPT_ONE_SUBSIDY = "two_exempt_one_subsidy"  # 两免一补
    HARDSHIP = "hardship"  # 济难救助
    SPONSOR = "sponsor"  # 爱心妈妈
    OTHER = "other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    IMPORT = "import"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    VIEW_RESTRICTED = "view_restricted"
    SETTINGS = "settings"


class LetterGrade(StrEnum):
    """A term result given as a grade instead of a score (等级制)."""

    EXCELLENT = "excellent"  # 优
    GOOD = "good"  # 良
    FAIR = "fair"  # 中
    POOR = "poor"  # 差


class GrowthScale(StrEnum):
    """The four scales of a teacher's term observation (成长观察), each rated 1–5."""

    STUDY = "study"  # 学习
    EMOTION = "emotion"  # 情绪
    HABITS = "habits"  # 行为习惯
    SELF_CARE = "self_care"  # 生活自理
