"""UI strings. One JSON file per feature under locales/<lang>/, merged; zh_CN is the default.

`t("home.title")` looks the key up in the current language, falling back to zh_CN, then the key.
Pure Python: services use it for export labels, components for the UI.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from enum import Enum
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
# 一年级 … 九年级: grade numerals in class and grade names
CN_NUMERALS = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九")

_current: ContextVar[str] = ContextVar("careledger_language", default=DEFAULT_LANGUAGE)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language, merged from its JSON files (later files win on clashes)."""
    merged: dict[str, str] = {}
    folder = LOCALES_DIR / lang
    for path in sorted(folder.glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def set_language(lang: str) -> None:
    """Use `lang` for the rest of this run (a context variable, so sessions do not mix)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The string for `key`, formatted with `params`."""
    lang = lang or _current.get()
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text


def enum_label(
    member: Enum | str | None, enum_cls: type[Enum] | None = None, lang: str | None = None
) -> str:
    """Display name of an enum member: key `enum.<EnumClass>.<value>`."""
    if member is None:
        return ""
    cls_name = enum_cls.__name__ if enum_cls else type(member).__name__
    value = member.value if isinstance(member, Enum) else str(member)
    return t(f"enum.{cls_name}.{value}", lang)


def enum_options(enum_cls: type[Enum], lang: str | None = None) -> dict[str, str]:
    """value → display name for every member (for select boxes and grid columns)."""
    return {m.value: enum_label(m, enum_cls, lang) for m in enum_cls}
