"""Masking personal data of minors (DESIGN.md §7) for the bureau role, demo mode and masked exports.

Names 张小萍 → 张*萍, phones 13812345678 → 138****5678, no street addresses, no ID numbers.
Pure functions on values plus `mask_frame` for tables; any service may import them.
"""

from __future__ import annotations

import re
from enum import StrEnum

import pandas as pd

_MOBILE = re.compile(r"^(1\d{2})\d{4}(\d{4})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-\d+?(\d{4})((?:-\d+)?)$")


class Kind(StrEnum):
    """How a column is masked."""

    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"  # street address: dropped
    ID_NUMBER = "id_number"  # dropped
    WORK_PLACE = "work_place"  # kept to province / city, the detail dropped


def mask_name(name: object) -> object:
    """张小萍 → 张*萍, 张三 → 张*, 欧阳小明 → 欧**明; other values unchanged."""
    if not isinstance(name, str):
        return name
    name = name.strip()
    if len(name) < 2:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: object) -> object:
    """13812345678 → 138****5678, 0851-1234567 → 0851-***4567; other text fully starred."""
    if not isinstance(phone, str) or not phone.strip():
        return phone
    phone = phone.strip()
    mobile = _MOBILE.match(phone)
    if mobile:
        return f"{mobile.group(1)}****{mobile.group(2)}"
    landline = _LANDLINE.match(phone)
    if landline:
        return f"{landline.group(1)}-***{landline.group(2)}"
    return "*" * len(phone)


def mask_work_place(detail: object, province: object = None, city: object = None) -> object:
    """Only the province and city of where a parent works, never the factory or street."""
    if detail is None and province is None:
        return None
    return "".join(str(p) for p in (province, city) if p) or None


def drop(_value: object) -> None:
    return None


MASKERS = {
    Kind.NAME: mask_name,
    Kind.PHONE: mask_phone,
    Kind.ADDRESS: drop,
    Kind.ID_NUMBER: drop,
    Kind.WORK_PLACE: lambda v: mask_work_place(v),
}


def mask_frame(frame: pd.DataFrame, kinds: dict[str, Kind]) -> pd.DataFrame:
    """A copy of `frame` with each listed column masked by its kind (missing columns ignored).

    Work places are replaced by what `mask_work_place` keeps; pass province/city in their own
    columns if they should stay, and mark the free-text column as WORK_PLACE.
    """
    masked = frame.copy()
    for column, kind in kinds.items():
        if column in masked.columns:
            masked[column] = masked[column].map(MASKERS[kind]).astype(object)
    return masked
