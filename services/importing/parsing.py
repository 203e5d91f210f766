"""Reading a school's roster file into rows: file checks, header detection, column synonyms.

Rosters arrive as schools keep them: a title row or two above the header, merged cells, headers in
any order and wording, sometimes a two-row header ("父亲" merged over "姓名 / 电话"). This module
turns such a file into a `RawSheet` (header texts + data rows with their row numbers in the file)
and suggests which Child field each column holds. Cells are converted in
services/importing/values.py.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from locales import t
from services.errors import Problem, ValidationFailed

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
HEADER_SCAN_ROWS = 12

Progress = Callable[[float, str], None]
Synonyms = Mapping[str, tuple[str, ...]]

# Child field → header texts schools use for it (compared after `normalise_header`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "student_no": ("学籍号", "学籍编号", "全国学籍号", "学生学籍号", "学籍号码", "学号"),
    "name": ("姓名", "学生姓名", "儿童姓名", "幼儿姓名", "名字", "留守儿童姓名"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月", "生日", "出生年月日", "出生时间"),
    "ethnicity": ("民族",),
    "id_card_no": ("身份证号", "身份证号码", "身份证", "公民身份号码"),
    "grade": ("年级",),
    "classroom": ("班级", "所在班级", "年级班级", "班别", "年级班别"),
    "boarding": ("是否寄宿", "寄宿", "住校", "是否住校", "寄宿生"),
    "village": ("所在村", "村组", "村", "所在村组", "家庭所在村"),
    "home_address": ("家庭住址", "家庭地址", "住址", "家庭详细住址", "现住址"),
    "left_behind_type": (
        "留守类型",
        "留守情况",
        "留守儿童类型",
        "类型",
        "父母外出情况",
        "外出情况",
    ),
    "left_behind_since": ("留守起始时间", "留守开始时间", "留守时间", "何时开始留守"),
    "father_name": ("父亲姓名", "父亲"),
    "father_phone": ("父亲电话", "父亲联系电话", "父亲手机", "父亲手机号", "父亲联系方式"),
    "father_work": ("父亲务工地点", "父亲务工地", "父亲工作单位", "父亲务工地址", "父亲工作地点"),
    "mother_name": ("母亲姓名", "母亲"),
    "mother_phone": ("母亲电话", "母亲联系电话", "母亲手机", "母亲手机号", "母亲联系方式"),
    "mother_work": ("母亲务工地点", "母亲务工地", "母亲工作单位", "母亲务工地址", "母亲工作地点"),
    "guardian_name": (
        "监护人",
        "监护人姓名",
        "代理监护人",
        "临时监护人",
        "委托监护人",
        "代理监护人姓名",
        "临时监护人姓名",
        "委托监护人姓名",
    ),
    "guardian_relation": (
        "与儿童关系",
        "监护人关系",
        "与监护人关系",
        "监护人与儿童关系",
        "与学生关系",
        "关系",
        "监护人与学生关系",
    ),
    "guardian_phone": (
        "监护人电话",
        "监护人联系电话",
        "监护人手机",
        "代理监护人电话",
        "临时监护人电话",
        "监护人联系方式",
        "联系电话",
    ),
    "guardian_age": ("监护人年龄",),
    "guardian_health": ("监护人健康状况", "监护人身体状况"),
    "guardian_education": ("监护人文化程度", "监护人学历"),
    "lives_with": ("与谁生活", "共同生活人", "与谁居住", "生活照料人"),
    "personality": ("性格", "性格特点"),
    "hobbies": ("爱好", "兴趣爱好", "特长爱好"),
    "study_level": ("学习情况", "学业成绩", "学习成绩"),
    "health_notes": ("健康状况", "身体状况", "身体健康状况"),
    "psychology_notes": ("心理状况", "心理健康状况"),
    "disability": ("残疾情况", "是否残疾", "残疾类别"),
    "is_key": ("重点帮扶", "是否重点帮扶对象", "重点帮扶对象", "是否重点"),
    "key_reasons": ("帮扶原因", "重点帮扶原因", "重点原因"),
    "archive_date": ("建档日期", "建档时间"),
}
FIELDS: tuple[str, ...] = tuple(SYNONYMS)
# Group labels of two-row headers: "父亲" over "姓名" reads as "父亲姓名".
_GROUP_WORDS = ("父亲", "母亲", "监护人", "代理监护人", "临时监护人")
_MERGE_REF = re.compile(r'<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')
_FIRST_SHEET_RID = re.compile(r'<sheet\b[^>]*\br:id="([^"]+)"')
_REL_ELEMENT = re.compile(r"<Relationship\b[^>]*>")
_ATTR_ID, _ATTR_TARGET = re.compile(r'\bId="([^"]+)"'), re.compile(r'\bTarget="([^"]+)"')
_DROP_IN_HEADER = re.compile(r"[\s*＊:：]|[\(（][^)）]*[\)）]")


@dataclass
class RawSheet:
    """Header texts and data rows of an uploaded file; `rows` hold (row number in file, cells)."""

    file_name: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def normalise_header(text: object) -> str:
    """Header text without spaces, asterisks, colons or bracketed notes ("出生日期(年月日)")."""
    return _DROP_IN_HEADER.sub("", str(text or ""))


def field_for_header(text: object, synonyms: Synonyms = SYNONYMS) -> str | None:
    """The field a header names (a Child field unless `synonyms` says otherwise), else None."""
    key = normalise_header(text)
    if not key:
        return None
    for name, words in synonyms.items():
        if key in words:
            return name
    return None


def suggest_mapping(headers: list[str], synonyms: Synonyms = SYNONYMS) -> dict[str, str | None]:
    """header → field for every header; a field is suggested for its first column only."""
    taken: set[str] = set()
    mapping: dict[str, str | None] = {}
    for header in headers:
        name = field_for_header(header, synonyms)
        mapping[header] = name if name and name not in taken else None
        if name:
            taken.add(name)
    return mapping


def read_roster(
    data: bytes, file_name: str, progress: Progress | None = None, synonyms: Synonyms = SYNONYMS
) -> RawSheet:
    """Read an .xlsx or .csv roster (or, with other `synonyms`, another sheet such as the staff
    list); raise ValidationFailed with every file-level problem."""
    _check_file(data, file_name)
    if progress:
        progress(0.05, t("import.progress.reading"))
    lower = file_name.lower()
    grid = _read_csv(data) if lower.endswith(".csv") else _read_xlsx(data, file_name)
    sheet = _find_header(grid, file_name, synonyms)
    if len(sheet.rows) > MAX_ROWS:
        raise _file_problem(
            file_name, "import.reason.too_many_rows", rows=len(sheet.rows), limit=MAX_ROWS
        )
    if progress:
        progress(0.2, t("import.progress.read", rows=len(sheet.rows)))
    return sheet


def _file_problem(file_name: str, reason: str, **params: object) -> ValidationFailed:
    return ValidationFailed(
        [Problem(row="", column="", value=file_name, reason=reason, params=params)]
    )


def _check_file(data: bytes, file_name: str) -> None:
    lower = file_name.lower()
    if len(data) > MAX_FILE_BYTES:
        megabytes = MAX_FILE_BYTES // (1024 * 1024)
        raise _file_problem(file_name, "import.reason.too_large", limit=megabytes)
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise _file_problem(file_name, "import.reason.macro")
    if lower.endswith(".xls"):
        raise _file_problem(file_name, "import.reason.old_xls")
    if not lower.endswith((".xlsx", ".csv")):
        raise _file_problem(file_name, "import.reason.file_type")
    if not data.strip():
        raise _file_problem(file_name, "import.reason.empty")


def _read_csv(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        text = data.decode("utf-8", errors="replace")
    dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes, file_name: str) -> list[list[object]]:
    """The first sheet's values, row by row as in the file, merged ranges filled with their value.

    Read-only mode streams the cells (several times faster on a 5,000-row roster); it does not
    expose merged ranges, so those are read from the sheet's XML.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(n.lower().endswith("vbaproject.bin") for n in archive.namelist()):
                raise _file_problem(file_name, "import.reason.macro")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        grid = [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
        workbook.close()
        merges = _merged_ranges(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _file_problem(file_name, "import.reason.unreadable") from exc
    _refuse_formulas(grid, file_name)
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    for min_col, min_row, max_col, max_row in merges:
        if min_row > len(grid):
            continue
        top = grid[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(grid))):
            for c in range(min_col - 1, min(max_col, width)):
                grid[r][c] = top
    return grid


def _merged_ranges(data: bytes) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of the first sheet, read from
    its XML (openpyxl's fast read-only mode does not report them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
        first = _FIRST_SHEET_RID.search(book)
        targets = {}
        for element in _REL_ELEMENT.findall(rels):
            rel_id, target = _ATTR_ID.search(element), _ATTR_TARGET.search(element)
            if rel_id and target:
                targets[rel_id.group(1)] = target.group(1)
        if first is None or first.group(1) not in targets:
            return []
        target = targets[first.group(1)].lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        text = archive.read(path).decode("utf-8", errors="replace")
    return [range_boundaries(ref) for ref in _MERGE_REF.findall(text)]  # type: ignore[misc]


def _refuse_formulas(grid: list[list[object]], file_name: str) -> None:
    problems = [
        Problem(
            row=str(r + 1),
            column=get_column_letter(c + 1),
            value=str(value)[:60],
            reason="import.reason.formula",
        )
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if _is_formula(value)
    ]
    if problems:
        raise ValidationFailed(problems)


def _is_formula(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith("=") and len(value) > 1
    # openpyxl gives ArrayFormula / DataTableFormula objects for array and table formulas.
    return type(value).__name__ in {"ArrayFormula", "DataTableFormula"}


def _header_score(cells: list[object], synonyms: Synonyms = SYNONYMS) -> int:
    return len({f for f in (field_for_header(c, synonyms) for c in cells) if f})


def _find_header(grid: list[list[object]], file_name: str, synonyms: Synonyms) -> RawSheet:
    """The header is the early row naming most known fields; title rows above it are skipped."""
    scan = grid[:HEADER_SCAN_ROWS]
    scores = [_header_score(row, synonyms) for row in scan]
    if not scores or max(scores) < 2:
        raise _file_problem(file_name, "import.reason.no_header")
    index = scores.index(max(scores))
    headers = [str(c).strip() if c is not None else "" for c in grid[index]]
    first_data = index + 1
    if first_data < len(grid):
        combined = _combine_two_row_header(headers, grid[first_data])
        if combined is not None:
            headers, first_data = combined, first_data + 1
    headers = _unique_headers(headers)
    rows = [
        (number, list(row) + [None] * (len(headers) - len(row)))
        for number, row in enumerate(grid[first_data:], start=first_data + 1)
        if any(not _blank(v) for v in row)
    ]
    return RawSheet(file_name=file_name, header_row=index + 1, headers=headers, rows=rows)


def _combine_two_row_header(top: list[str], below: list[object]) -> list[str] | None:
    """Headers like "父亲" (merged) over "姓名 / 电话" become "父亲姓名 / 父亲电话"."""
    if not any(normalise_header(h) in _GROUP_WORDS for h in top):
        return None
    sub = [normalise_header(c) for c in below]
    combined = [
        (h + s if normalise_header(h) in _GROUP_WORDS and s else (h or s))
        for h, s in zip(top, sub + [""] * (len(top) - len(sub)), strict=False)
    ]
    if _header_score(combined) > _header_score(top):
        return combined
    return None


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for position, header in enumerate(headers, start=1):
        text = header or t("import.column_n", n=get_column_letter(position))
        if text in seen:
            seen[text] += 1
            text = f"{text}_{seen[text]}"
        else:
            seen[text] = 1
        result.append(text)
    return result


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
