"""Field rules shared by the import (and any other writer that wants them): phones, required fields.

Mobile phones follow DESIGN.md §4 (`^1[3-9]\\d{9}$`); landlines are accepted in the documented form
area code + hyphen + number, e.g. `0851-1234567` (3–4 digit area code, 7–8 digit number).
"""

from __future__ import annotations

import re
from decimal import Decimal

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}$")
_SEPARATORS = re.compile(r"[\s\-－—()（）]")


def normalise_phone(value: object) -> str | None:
    """A phone as text: numbers from Excel lose their `.0`, mobiles lose spaces and hyphens.

    Returns None for an empty value. The result is not validated; see `is_valid_phone`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    if text.startswith("+86"):
        text = text[3:].strip()
    compact = _SEPARATORS.sub("", text)
    if MOBILE_RE.match(compact):
        return compact
    if compact.startswith("0") and compact.isdigit() and "-" not in text:
        return text
    # Keep the landline's hyphen (normalised to ASCII) but drop spaces and brackets.
    return re.sub(r"[\s()（）]", "", text).replace("－", "-").replace("—", "-")


def is_valid_phone(text: str | None) -> bool:
    """True for a mainland mobile or a landline written as `0xxx-xxxxxxx`."""
    if not text:
        return False
    return bool(MOBILE_RE.match(text) or LANDLINE_RE.match(text))


def is_blank(value: object) -> bool:
    """True for None, empty or whitespace-only text."""
    return value is None or (isinstance(value, str) and not value.strip())
