"""The children's archive as column specs (plain data): fields, Chinese labels, groups, who may
see or edit, validators — and which fields make an archive complete (建档率)."""

from __future__ import annotations

from typing import Any

from db.enums import EnrolmentStatus, Gender, KeyReason, LeftBehindType
from services import permissions
from services.permissions import Action
from services.records.specs import (
    ColumnSpec,
    ColumnType,
    not_in_future,
    phone,
    student_no,
    text_width,
)

EDITORS = permissions.roles_with(Action.EDIT_CHILDREN)
READERS = permissions.roles_with(Action.VIEW_CHILDREN)
LEADERS = permissions.roles_with(Action.UNDELETE)
ID_CARD_ROLES = permissions.roles_with(Action.VIEW_ID_CARD)

T, N, D, B = ColumnType.TEXT, ColumnType.INT, ColumnType.DATE, ColumnType.BOOL


def _select(name: str, enum_cls: type, group: str, **kw: Any) -> ColumnSpec:
    return ColumnSpec.for_enum(name, f"children.col.{name}", enum_cls, group=group, **kw)


def _col(name: str, kind: ColumnType, group: str, **kw: Any) -> ColumnSpec:
    return ColumnSpec(name, f"children.col.{name}", kind, group=group, **kw)


def _parent(who: str) -> list[ColumnSpec]:
    return [
        _col(f"{who}_name", T, "parents", width=80),
        _col(f"{who}_phone", T, "parents", validator=phone, width=120),
        _col(f"{who}_work_province", T, "parents", width=90),
        _col(f"{who}_work_city", T, "parents", width=90),
        _col(f"{who}_work_detail", T, "parents", width=160),
        _col(f"{who}_away_since", D, "parents", validator=not_in_future),
    ]


# Column groups of the archive page, in order; every group also shows ALWAYS_SHOWN.
GROUPS = ("basic", "parents", "guardian", "study_health", "key")
ALWAYS_SHOWN = ("student_no", "name", "missing")

STUDENT_NO_WIDTH = text_width("G439901201501010010")

CHILD_COLUMNS: list[ColumnSpec] = [
    # A 学籍号 is G + 18 characters: the column shows one whole.
    _col("student_no", T, "basic", required=True, validator=student_no, width=STUDENT_NO_WIDTH),
    _col("name", T, "basic", required=True, width=80),
    _select("gender", Gender, "basic", width=60),
    _col("birth_date", D, "basic", validator=not_in_future),
    _col("classroom", ColumnType.SELECT, "basic", required=True, width=120),
    _select("enrolment_status", EnrolmentStatus, "basic", required=True, width=80),
    _select("left_behind_type", LeftBehindType, "basic", required=True, width=90),
    _col("left_behind_since", D, "basic", validator=not_in_future),
    _col("boarding", B, "basic"),
    _col("ethnicity", T, "basic", width=60),
    _col("village", T, "basic", width=100),
    _col("home_address", T, "basic", width=160),
    _col(
        "id_card_no",
        T,
        "basic",
        view_roles=ID_CARD_ROLES,
        edit_roles=permissions.roles_with(Action.EDIT_ID_CARD),
        width=170,
    ),
    *_parent("father"),
    *_parent("mother"),
    _col("guardian_name", T, "guardian", width=80),
    _col("guardian_relation", T, "guardian", width=70),
    _col("guardian_phone", T, "guardian", validator=phone, width=120),
    _col("guardian_age", N, "guardian", min_value=10, max_value=110),
    _col("guardian_health", T, "guardian", width=90),
    _col("guardian_education", T, "guardian", width=90),
    _col("lives_with", T, "guardian", width=90),
    _col("personality", T, "study_health", width=140),
    _col("hobbies", T, "study_health", width=140),
    _col("study_level", T, "study_health", width=80),
    _col("health_notes", T, "study_health", width=140),
    _col("psychology_notes", T, "study_health", width=140),
    _col("disability", T, "study_health", width=90),
    _col("is_key", B, "key"),
    _select("key_reasons", KeyReason, "key", kind=ColumnType.MULTISELECT, width=200),
    _col("archive_date", D, "key", validator=not_in_future),
    _col("missing", T, "status", computed=True, width=220),
]

# What a complete archive has (DESIGN.md §1 "archive + contact card"); parents' fields by type.
ARCHIVE_BASE_FIELDS = (
    "student_no",
    "name",
    "gender",
    "birth_date",
    "classroom_id",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
)
PARENT_FIELDS = ("name", "phone", "work_province")
AWAY_PARENTS = {
    LeftBehindType.BOTH: ("father", "mother"),
    LeftBehindType.FATHER: ("father",),
    LeftBehindType.MOTHER: ("mother",),
    LeftBehindType.NONE: (),
}
