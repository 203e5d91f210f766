"""Display of the Chinese values people type into free-text archive fields (the guardian's
relation, education and health, whom the child lives with, study level, ethnicity) in another
language: key "value.<中文>" (locales/en/values.json). What is stored stays as typed, so this is for
read-only displays only (never for an editable grid, whose save would write the translation).
A list written with 、 is translated part by part; an unknown value is shown as typed.
"""

from __future__ import annotations

from locales import DEFAULT_LANGUAGE, catalogue, current_language, t

LIST_SEPARATOR = "、"


def value_label(value: object, lang: str | None = None) -> str:
    """外祖母 → "maternal grandmother" in English; as typed in Chinese or when unknown."""
    text = "" if value is None else str(value).strip()
    lang = lang or current_language()
    if not text or lang == DEFAULT_LANGUAGE:
        return text
    known = catalogue(lang)
    if f"value.{text}" in known:
        return known[f"value.{text}"]
    parts = text.split(LIST_SEPARATOR)
    if len(parts) > 1 and all(f"value.{p}" in known for p in parts):
        return t("common.list_separator", lang).join(known[f"value.{p}"] for p in parts)
    return text


def labelled(label: str, value: object) -> str:
    """姓名：张阳 / Name: Zhang — the language's own colon."""
    return t("common.label_value", label=label, value=value)


def aside(text: object, note: object) -> str:
    """张阳（三年级(1)班） / 张阳 (class 3-1): a note in brackets, the language's own."""
    return t("common.aside", text=text, note=note)
