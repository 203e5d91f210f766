"""Reading a results sheet (成绩表): its header among title rows, and which column is what —
学籍号, 姓名, 班级, 序号 by their usual names, totals, averages, ranks and notes skipped, every
other named column a subject (its header without brackets: "数学（满分120）" is 数学). The rows
are planned in services/importing/results.py.
"""

from __future__ import annotations

import re

from services.growth.results_values import DEFAULT_SUBJECTS
from services.importing.parsing import (
    SYNONYMS,
    Progress,
    RawSheet,
    field_for_header,
    normalise_header,
    read_roster,
)

SUBJECT = "subject"
RESULT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "student_no": SYNONYMS["student_no"],
    "name": SYNONYMS["name"],
    "classroom": SYNONYMS["classroom"],
    "seq": ("序号", "编号", "顺序号", "座号"),
}
RESULT_FIELDS = (*RESULT_SYNONYMS, SUBJECT)
# Subjects a results sheet usually has.
COMMON_SUBJECTS = (*DEFAULT_SUBJECTS, "科学", "道德与法治", "品德", "音乐", "体育", "美术",
                   "物理", "化学", "生物", "历史", "地理", "政治", "信息技术")  # fmt: skip
IGNORED_HEADERS = frozenset({
    "总分", "总成绩", "合计", "平均分", "平均成绩", "均分", "名次", "排名", "班级名次",
    "班级排名", "班名次", "年级名次", "年级排名", "级名次", "备注", "性别", "年级", "出生日期",
})  # fmt: skip
# Subjects, totals and ranks help find the header row among title rows.
HEADER_SYNONYMS = {
    **RESULT_SYNONYMS,
    **{f"{SUBJECT}:{s}": (s,) for s in COMMON_SUBJECTS},
    **{f"other:{h}": (h,) for h in IGNORED_HEADERS},
}
_UNNAMED = re.compile(r"^第[A-Z]+列$")


def read_results_sheet(data: bytes, file_name: str, progress: Progress | None = None) -> RawSheet:
    """Read an .xlsx or .csv results sheet (the roster's reader; subjects help find the header)."""
    return read_roster(data, file_name, progress, synonyms=HEADER_SYNONYMS)


def suggest_results_mapping(headers: list[str]) -> dict[str, str | None]:
    """header → field: 学籍号/姓名/班级/序号 by their names, totals and ranks skipped, every
    other named column a subject."""
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        name = field_for_header(header, RESULT_SYNONYMS)
        if name and name not in taken:
            taken.add(name)
            mapping[header] = name
        elif name or _ignored(header):
            mapping[header] = None
        else:
            mapping[header] = SUBJECT
    return mapping


def _ignored(header: str) -> bool:
    key = normalise_header(header)
    return not key or key in IGNORED_HEADERS or bool(_UNNAMED.match(key))


def subject_of(header: str) -> str:
    """The subject a column header names: the header without spaces or bracketed notes."""
    return normalise_header(header)
