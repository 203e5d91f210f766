"""Chinese throughout (#16 item 3): every page of every role, rendered on one seeded demo school,
shows in Chinese no English UI words, no "None"/"nan", no raw JSON, no select box left with
Streamlit's English placeholder and no uploader with its own English texts or another size
limit than the server's and the page's; in English no Chinese where a translation exists (UI
strings, enum labels, typed values such as 外祖母) and no Chinese punctuation touching English.

Every element's text is read: headings, markdown, alerts, metrics, widget labels, help,
placeholders and options, and the headers and cells of every table AppTest exposes (an empty
cell counts as Streamlit's "None" unless the table sets a placeholder).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from contextvars import ContextVar

import pandas as pd
from streamlit.testing.v1 import AppTest

import locales
from components.navigation import PAGES
from db.enums import Role
from locales import catalogue
from tests.pages.apptest import ROOT, run_page
from tests.pages.test_every_page import demo_school  # noqa: F401 (the shared seeded school)

# Streamlit's own English (placeholders, uploader) and values that leaked through untranslated.
ENGLISH = re.compile(
    r"\b(Choose|options?|None|nan|NaN|NaT|null|View|more|less|Upload|Drag|drop|Browse|"
    r"per file|Limit|No options|No results|Press Enter|user|password|viewed|note\(s\)|"
    r"True|False|create|update|delete|restore|login|export|import)\b"
)
CONFIG = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())
MAX_UPLOAD_MB = CONFIG["server"]["maxUploadSize"]
RAW_JSON = re.compile(r"[{\[]\s*\"[^\"]*\"\s*:")
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e：，。（）]")

# Proto fields that are ids, formats or styling, not words a user reads.
SKIP_FIELDS = {
    "id",
    "form_id",
    "type",
    "format",
    "icon",
    "color",
    "css",
    "arrow_data",
    "lazy_data",
    "column_config",
    "columns",
    "autocomplete",
    "column_order",
    "spec",
    "figure",
    "data",
    "key",
    "url",
    "src",
    "width",
    "height",
    "stylesheet",
    "page_script_hash",
    "page",
    "step",
    "set_value",
}


def _strings(message, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string field of a proto message (recursively), as (field path, text)."""
    for descriptor, value in message.ListFields():
        name = descriptor.name
        if name in SKIP_FIELDS:
            continue
        items = value if hasattr(value, "extend") else [value]  # a repeated field
        for item in items:
            if isinstance(item, str):
                yield f"{path}{name}", item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, f"{path}{name}.")


def _table_texts(node) -> Iterator[tuple[str, str]]:
    """Headers (the column config's labels, else the frame's names) and cells of a table; an
    empty cell shows Streamlit's "None" unless the table sets a placeholder."""
    frame = node.value
    kind = "dataframe" if node.editing_mode == "read_only" else "data_editor"
    config = json.loads(node.proto.columns or "{}")
    for column in frame.columns:
        yield f"{kind}.header", str(config.get(str(column), {}).get("label") or column)
    has_placeholder = node.proto.HasField("placeholder")
    for value in frame.astype("object").to_numpy().ravel():
        if isinstance(value, bool):
            continue  # a check box
        if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
            if not has_placeholder:
                yield f"{kind}.cell", "None (an empty cell without a placeholder)"
            continue
        yield f"{kind}.cell", str(value)  # a list shows as its items


def page_texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the page shows."""
    for node in at._tree:
        kind = getattr(node, "type", "?")
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if kind in {"plotly_chart", "vega_lite_chart", "deck_gl_json_chart", "html"}:
            continue  # charts are checked by their builders' own tests
        for field, text in _strings(proto):
            yield f"{kind}.{field}", text
        if kind == "dataframe":
            yield from _table_texts(node)
        if kind in {"selectbox", "multiselect"} and not proto.placeholder:
            # Streamlit then shows its English "Choose an option" / "No options to select".
            yield f"{kind}.placeholder", "Choose an option (no placeholder given)"


def uploader_problems(at: AppTest) -> list[str]:
    """Streamlit's uploader shows its own English button and hint ("Upload", "20MB per file •
    XLSX…") unless the page replaces them (components/roster_import.upload_box); its size limit
    must be the server's (config.toml) and the one the page states."""
    nodes = list(at._tree)
    styles = " ".join(n.proto.body for n in nodes if getattr(n, "type", "") == "html")
    shown = " ".join(text for _, text in page_texts(at))
    problems = []
    for node in nodes:
        if getattr(node, "type", "") != "file_uploader":
            continue
        if "stFileUploaderDropzoneInstructions" not in styles or not CJK.search(styles):
            problems.append("file_uploader: Streamlit's own 'Upload' / 'per file' texts shown")
        mb = node.proto.max_upload_size_mb
        if mb != MAX_UPLOAD_MB:
            problems.append(f"file_uploader: {mb} MB, the server takes {MAX_UPLOAD_MB} MB")
        if f"{mb} MB" not in shown:
            problems.append(f"file_uploader: {mb} MB is not what the page says")
    return problems


def _offending(texts, pattern) -> list[str]:
    return sorted({f"{where}: {text[:120]!r}" for where, text in texts if pattern.search(text)})


def _render_all(demo, monkeypatch, language: str) -> dict[str, tuple[list, list[str]]]:
    url, actors = demo
    monkeypatch.setenv("DATABASE_URL", url)
    # app.py sets the language before a page runs; a page run alone sets it only in page_start,
    # after its title was looked up: start the run in the language, as the app does.
    monkeypatch.setattr(locales, "_current", ContextVar("careledger_language", default=language))
    rendered = {}
    for role in Role:
        for spec in PAGES:
            if role not in spec.roles:
                continue
            at = run_page(spec.path, actors[role], timeout=60, language=language)
            assert not at.exception, (role, spec.path, [e.message for e in at.exception])
            rendered[f"{role.value} {spec.path}"] = (list(page_texts(at)), uploader_problems(at))
    return rendered


def test_chinese_pages_show_no_english_none_nan_or_json(demo_school, monkeypatch):  # noqa: F811
    failures = {}
    for page, (texts, uploads) in _render_all(demo_school, monkeypatch, "zh_CN").items():
        bad = _offending(texts, ENGLISH) + _offending(texts, RAW_JSON) + uploads
        if bad:
            failures[page] = bad
    assert failures == {}


def test_english_pages_translate_labels_and_values(demo_school, monkeypatch):  # noqa: F811
    failures = {}
    for page, (texts, _) in _render_all(demo_school, monkeypatch, "en").items():
        bad = sorted(
            {f"{where}: {text[:120]!r}" for where, text in texts if _untranslated(where, text)}
        )
        if bad:
            failures[page] = bad
    assert failures == {}


def _untranslated(where: str, text: str) -> bool:
    """A Chinese UI string or enum label shown as it is; a typed value with an English name
    (外祖母, 初中) shown as typed where nobody edits it; Chinese punctuation touching English
    (a label's ：, a note's （）, a clause's ，). Names, classes, villages and free text are data
    and stay Chinese."""
    plain = text.strip().strip("*_ ").removesuffix("：").strip("*_ ")
    typed = plain in TYPED_VALUES and where != "data_editor.cell"  # an editor keeps what is typed
    return plain in UI_STRINGS or typed or bool(CHINESE_PUNCTUATION_IN_ENGLISH.search(text))


# Chinese punctuation touching English: "Name：", "Zhang（class 3）", "Child，contacts".
CHINESE_PUNCTUATION_IN_ENGLISH = re.compile(
    r"[A-Za-z0-9)*][^\u3400-\u9fff\s]?[、，；（）：]|[、，；（）：][A-Za-z]"
)
# Every Chinese string of the UI (no placeholders), and every typed value with an English name.
UI_STRINGS = {
    text
    for key, text in catalogue("zh_CN").items()
    if CJK.search(text) and "{" not in text and key in catalogue("en")
}
TYPED_VALUES = {key.removeprefix("value.") for key in catalogue("en") if key.startswith("value.")}
