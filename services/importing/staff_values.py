"""The staff sheet's cells: its headers, roles in the words schools use, mobiles, lists of
classes, and the username a new account gets (services/importing/staff.py plans with them)."""

from __future__ import annotations

import re
from enum import StrEnum

from pypinyin import lazy_pinyin

from db.enums import Role
from locales import enum_label
from services.accounts.user_admin import PHONE_PATTERN
from services.importing import values as v
from services.importing.parsing import Progress, RawSheet, read_roster, suggest_mapping
from services.records.validation import normalise_phone

STAFF_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "教师姓名", "教职工姓名", "老师姓名", "职工姓名", "名字"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    "role": ("角色", "职务", "岗位", "职务/岗位", "身份", "类别", "人员类别", "任职"),
    "taught": ("任教班级", "所教班级", "任课班级", "授课班级", "教授班级", "任教"),
    "head_of": ("班主任班级", "担任班主任", "担任班主任班级", "所带班级", "班主任", "任班主任"),
}
STAFF_FIELDS: tuple[str, ...] = tuple(STAFF_SYNONYMS)
IMPORTED_ROLES = (Role.HEAD_TEACHER, Role.TEACHER, Role.COUNSELLOR, Role.PRINCIPAL)
ROLE_WORDS: dict[Role, tuple[str, ...]] = {
    Role.HEAD_TEACHER: ("班主任",),
    Role.TEACHER: ("教师", "老师", "科任教师", "科任老师", "任课教师", "任课老师", "专任教师",
                   "代课教师", "代课老师", "教员"),
    Role.COUNSELLOR: ("心理辅导员", "心理教师", "心理老师", "心理健康教师", "心理辅导老师",
                      "心理咨询师", "辅导员"),
    Role.PRINCIPAL: ("校领导", "校长", "副校长", "书记", "教导主任", "教务主任", "德育主任",
                     "政教主任", "主任"),
}  # fmt: skip
# Words inside a longer title ("语文教师", "副校长兼班主任"), tried in this order.
_ROLE_PARTS = (
    ("校长", Role.PRINCIPAL),
    ("书记", Role.PRINCIPAL),
    ("班主任", Role.HEAD_TEACHER),
    ("心理", Role.COUNSELLOR),
    ("主任", Role.PRINCIPAL),
    ("教师", Role.TEACHER),
    ("老师", Role.TEACHER),
)
_NONE_WORDS = {"无", "没有", "-", "—", "/", "／", "否"}
_CLASS_SEPARATORS = re.compile(r"[、,，;；\s]+")
_USERNAME_JUNK = re.compile(r"[^a-z0-9]")
SHOWN_JOIN = "、"


class UsernameFrom(StrEnum):
    """Where a new account's username comes from."""

    PHONE = "phone"  # the mobile number (the name's pinyin when there is none)
    PINYIN = "pinyin"


def read_staff_sheet(data: bytes, file_name: str, progress: Progress | None = None) -> RawSheet:
    """Read an .xlsx or .csv staff sheet (the roster's reader with the staff headers)."""
    return read_roster(data, file_name, progress, synonyms=STAFF_SYNONYMS)


def suggest_staff_mapping(headers: list[str]) -> dict[str, str | None]:
    return suggest_mapping(headers, STAFF_SYNONYMS)


def parse_role(value: object) -> Role | None:
    """班主任 / 教师 / 心理辅导员 / 校领导 and the titles schools write for them."""
    raw = v.text(value, 32)
    if raw is None:
        return None
    word = re.sub(r"\s", "", raw)
    for role in IMPORTED_ROLES:
        labels = {enum_label(role, lang="zh_CN"), enum_label(role, lang="en").lower(), role.value}
        if word in ROLE_WORDS[role] or word.lower() in labels:
            return role
    for part, role in _ROLE_PARTS:
        if part in word:
            return role
    options = SHOWN_JOIN.join(enum_label(r, lang="zh_CN") for r in IMPORTED_ROLES)
    raise v.BadValue("staff.reason.bad_role", options=options)


def parse_mobile(value: object) -> str | None:
    phone = normalise_phone(value)
    if phone is not None and not PHONE_PATTERN.match(phone):
        raise v.BadValue("staff.reason.bad_mobile")
    return phone


def parse_classes(value: object) -> list[tuple[int, int]] | None:
    """Classes as the roster writes them, several separated by 、 , ; or spaces; "无" for none.
    None when the cell is blank (nothing changes)."""
    raw = v.text(value, 500)
    if raw is None:
        return None
    if raw in _NONE_WORDS:
        return []
    try:
        room = v.parse_class(value)
        return [room] if room else []
    except v.BadValue:
        parts = [p for p in _CLASS_SEPARATORS.split(raw) if p]
        if len(parts) < 2:
            raise
    return sorted({room for part in parts if (room := v.parse_class(part))})


def username_base(name: str, phone: str | None, source: UsernameFrom) -> str:
    """The mobile number, or the name in pinyin ("欧阳娜娜" → "ouyangnana", ü as v)."""
    if source == UsernameFrom.PHONE and phone:
        return phone
    base = _USERNAME_JUNK.sub("", "".join(lazy_pinyin(name)).lower())[:60]
    return base if len(base) >= 2 else f"staff{base}"
