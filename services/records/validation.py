"""Field rules for the import. The rules themselves are the grid's (services/records/specs.py:
phones as
mobile `^1[3-9]\\d{9}$` or landline `0851-12345678`, student numbers); this module only turns what
spreadsheets hold (numbers with `.0`, spaces, "+86") into the text those rules check.
"""

from __future__ import annotations

import re
from decimal import Decimal

from services.records.specs import MOBILE_RE
from services.records.specs import phone as phone_rule
from services.records.specs import student_no as student_no_rule

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


def phone_problem(text: str) -> str | None:
    """The locales key of why `text` is no phone (the grid's rule), or None when it is one."""
    return phone_rule(text)


def student_no_problem(text: str) -> str | None:
    """The locales key of why `text` is no 学籍号 (the grid's rule), or None."""
    return student_no_rule(text)
