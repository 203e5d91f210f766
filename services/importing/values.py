"""Turning roster cells into Child values: dates in every form schools type, classes, enums, flags.

Each parser takes a raw cell and returns the value, or raises `BadValue` with the reason to show.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from db.enums import Gender, KeyReason, LeftBehindType
from locales import CN_NUMERALS, enum_label, t
from services.records.validation import normalise_phone, phone_problem, student_no_problem

EXCEL_EPOCH = date(1899, 12, 30)
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
)
# Province-level places whose city is the place itself (直辖市, 特别行政区).
MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆", "香港", "澳门"})
_SEPARATORS = " \t·-/,，、"
_PROVINCE_SUFFIX = re.compile(r"^(省|市|(壮族|回族|维吾尔)?自治区|特别行政区)")
# Cities are read in this order: a name ending in 州 ("苏州工业园区": 苏州, 杭州, 广州, 福州…);
# 2–4 characters before 市 ("呼和浩特市", a 县级市 "昆山市"; a 市 further in, or 市场, belongs to
# the detail); a prefecture with its full name ("阿克苏地区").
_CITY_ZHOU = re.compile(r"^(.{1,2}州)")
_CITY_SHI = re.compile(r"^(.{2,4}?)市(?!场)")
_CITY_PREFECTURE = re.compile(r"^(.{2,12}?(?:自治州|地区|盟))")
_CITY_BARE = re.compile(r"^([^\s·\-/,，、]{2,4})(?:[\s·\-/,，、]|$)")

_DATE_FULL = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*日?$")
_DATE_MONTH = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*月?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_CLASS = re.compile(r"^(\d)\s*(?:年级|年|[.\-－·/、])?\s*[\(（]?\s*(\d{1,2})\s*[\)）]?\s*班?$")
_CLASS_ONLY = re.compile(r"^[\(（]?\s*(\d{1,2})\s*[\)）]?\s*班?$")
_GRADE_ONLY = re.compile(r"^(\d)\s*(?:年级|年)?$")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对", "寄宿", "住校"}
_FALSE = {"否", "n", "no", "false", "0", "×", "不是", "无", "走读"}


class BadValue(ValueError):
    """A cell that cannot be read as its field: `key` names the reason in locales/, `params`
    fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def text(value: object, max_len: int = 200) -> str | None:
    """Trimmed text, None when blank; numbers lose a trailing `.0`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date().isoformat()
    result = str(value).strip()
    if not result:
        return None
    if len(result) > max_len:
        raise BadValue("import.reason.too_long", limit=max_len)
    return result


def parse_date(value: object) -> date | None:
    """Dates as real dates, Excel serials, "2015.03", "2015年3月", "2015/3/1", "20150301"...

    A month without a day means the first of that month. A number such as 2015.03 (what Excel keeps
    of a typed "2015.03") reads as year.month with two decimals, so 2015.1 is October.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_number(float(value))
    raw = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", str(value).strip())  # "… 00:00:00"
    for pattern in (_DATE_FULL, _DATE_MONTH, _DATE_COMPACT):
        match = pattern.match(raw)
        if match:
            groups = [*match.groups(), None][:3]
            year, month, day = (int(g) if g else 1 for g in groups)
            return _make_date(year, month, day)
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return _date_from_number(float(raw)) if "." not in raw else _year_month_text(raw)
    raise BadValue("import.reason.bad_date")


def _year_month_text(raw: str) -> date:
    year, month = raw.split(".", 1)
    return _make_date(int(year), int(month), 1)


def _date_from_number(number: float) -> date:
    if 1900 <= number < 2100:  # 2015.03 → year and month
        year = int(number)
        month = round((number - year) * 100)
        return _make_date(year, month or 1, 1)
    if 19000101 <= number <= 20991231 and number.is_integer():
        digits = str(int(number))
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if 1 <= number < 80000:  # an Excel serial day number
        return EXCEL_EPOCH + timedelta(days=int(number))
    raise BadValue("import.reason.bad_date")


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadValue("import.reason.bad_date") from exc


def check_birth_date(value: date | None, today: date) -> date | None:
    """Birth dates of school children: not in the future and not more than 25 years back."""
    if value is not None and not (date(today.year - 25, 1, 1) <= value <= today):
        raise BadValue("import.reason.birth_range")
    return value


def parse_phone(value: object) -> str | None:
    phone = normalise_phone(value)
    problem = phone_problem(phone) if phone is not None else None
    if problem:
        raise BadValue(t(problem))
    return phone


def parse_student_no(value: object) -> str | None:
    number = text(value, 32)
    problem = student_no_problem(number) if number is not None else None
    if problem:
        raise BadValue(t(problem))
    return number


def parse_gender(value: object) -> Gender | None:
    raw = (text(value) or "").lower()
    if not raw:
        return None
    if raw in {"男", "m", "male", "男性", "男生", enum_label(Gender.MALE).lower()}:
        return Gender.MALE
    if raw in {"女", "f", "female", "女性", "女生", enum_label(Gender.FEMALE).lower()}:
        return Gender.FEMALE
    raise BadValue("import.reason.bad_gender")


def parse_left_behind(value: object) -> LeftBehindType | None:
    """双亲外出 / 父母均外出 / 父亲外出 / 母亲外出 / 非留守 and the ways schools write them."""
    raw = re.sub(r"\s", "", text(value) or "").lower()
    if not raw:
        return None
    for member in LeftBehindType:
        if raw in {member.value, enum_label(member, LeftBehindType).lower()}:
            return member
    if raw.startswith("非") or raw in {"否", "无", "不是", "没有"}:
        return LeftBehindType.NONE
    if any(w in raw for w in ("双亲", "父母", "双方", "双留守", "均外出", "都外出")):
        return LeftBehindType.BOTH
    has_father, has_mother = "父" in raw or "爸" in raw, "母" in raw or "妈" in raw
    if has_father and not has_mother:
        return LeftBehindType.FATHER
    if has_mother and not has_father:
        return LeftBehindType.MOTHER
    raise BadValue("import.reason.bad_left_behind")


def parse_bool(value: object) -> bool | None:
    raw = (text(value) or "").lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadValue("import.reason.bad_bool")


def parse_age(value: object) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    raw = raw.removesuffix("岁")
    if not raw.isdigit() or not 10 <= int(raw) <= 110:
        raise BadValue("import.reason.bad_age")
    return int(raw)


def parse_key_reasons(value: object) -> list[str] | None:
    raw = text(value)
    if raw is None:
        return None
    labels = {enum_label(m, KeyReason): m.value for m in KeyReason}
    labels.update({m.value: m.value for m in KeyReason})
    reasons = []
    for part in (p.strip() for p in re.split(r"[、,，;；/\s]+", raw)):
        if not part:
            continue
        if part not in labels:
            raise BadValue("import.reason.bad_key_reason", options="、".join(list(labels)[:6]))
        reasons.append(labels[part])
    return reasons


def _digits_for_cn(raw: str) -> str:
    raw = raw.replace("初一", "7").replace("初二", "8").replace("初三", "9")
    raw = re.sub(r"十([一二三四五六七八九])", lambda m: "1" + str(CN_DIGITS[m.group(1)]), raw)
    raw = re.sub(r"([一二三四五六七八九])十", lambda m: str(CN_DIGITS[m.group(1)]) + "0", raw)
    raw = raw.replace("十", "10")
    return "".join(str(CN_DIGITS.get(ch, ch)) for ch in raw)


def parse_class(value: object, grade_value: object = None) -> tuple[int, int] | None:
    """(grade, class number) from "三年级2班", "三年级(2)班", "3.2", "初一(3)班"; a separate 年级
    column may hold the grade while 班级 holds "2班"."""
    raw = text(value)
    if raw is None:
        return None
    if isinstance(value, float):
        raw = f"{value:g}"
    raw = re.sub(r"\s", "", _digits_for_cn(raw))
    only = _CLASS_ONLY.match(raw)
    grade = parse_grade(grade_value) if only else None
    if only and grade is not None:  # "2班" (or "12班") next to a 年级 column
        number = int(only.group(1))
    else:
        match = _CLASS.match(raw)
        if not match:
            raise BadValue("import.reason.bad_class")
        grade, number = int(match.group(1)), int(match.group(2))
    if not (1 <= grade <= 9 and 1 <= number <= 30):
        raise BadValue("import.reason.bad_class")
    return grade, number


def parse_grade(value: object) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    match = _GRADE_ONLY.match(re.sub(r"\s", "", _digits_for_cn(raw)))
    if not match:
        raise BadValue("import.reason.bad_class")
    return int(match.group(1))


def classroom_name(grade: int, number: int) -> str:
    """The name a new class gets: 三年级(2)班."""
    return f"{CN_NUMERALS[grade]}年级({number})班"


def split_work_place(value: object) -> tuple[str | None, str | None, str | None]:
    """'广东省深圳市宝安区某电子厂' → ('广东', '深圳', '广东省深圳市宝安区某电子厂').

    Handles 省 / 自治区 / 直辖市 (the city is the municipality itself) and the city forms that
    follow: "苏州市", a 县级市 such as "昆山市", "恩施土家族苗族自治州", "阿克苏地区", "锡林郭勒盟",
    or the bare name ("浙江温州", "广东 东莞"). A detail without a province may still name a city.
    """
    detail = text(value)
    if detail is None:
        return None, None, None
    province = next((p for p in PROVINCES if detail.startswith(p)), None)
    if province is None:
        return None, _city(detail, bare_name=False), detail
    if province in MUNICIPALITIES:
        return province, province, detail
    rest = _PROVINCE_SUFFIX.sub("", detail[len(province) :])
    return province, _city(rest.lstrip(_SEPARATORS), bare_name=True), detail


def _city(rest: str, bare_name: bool) -> str | None:
    """The city at the start of `rest`; `bare_name` also takes a 2–4 character name standing
    alone ("温州", "东莞 某厂") once the province has been read."""
    for pattern in (_CITY_ZHOU, _CITY_SHI, _CITY_PREFECTURE):
        match = pattern.match(rest)
        if match:
            return match.group(1)
    if bare_name:
        match = _CITY_BARE.match(rest)
        if match:
            return match.group(1)
    return None
