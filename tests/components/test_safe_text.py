"""components.safe_text: user text shown as text (#13 item 3, DESIGN.md §3)."""

from __future__ import annotations

import re

import pytest

from components.safe_text import escape_html, escape_md, md

BEACON = "![x](http://127.0.0.1:9/beacon.png)"
HYPERLINK = '=HYPERLINK("http://x","y")'


def unescape(text: str) -> str:
    """What CommonMark shows for backslash escapes of ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def test_plain_chinese_is_unchanged():
    for text in ("张小明", "三年级（2）班", "外出务工：广东省东莞市", "祖父母 李桂兰", "留守儿童"):
        assert escape_md(text) == text


def test_none_is_empty():
    assert escape_md(None) == ""
    assert escape_html(None) == ""


@pytest.mark.parametrize(
    "text",
    [
        BEACON,
        HYPERLINK,
        "[点我](http://evil.example)",
        "<img src=http://127.0.0.1:9/b.png>",
        "**粗体** _斜_ `代码` ~~删~~ $x^2$ :red[红] # 标题",
        "| a | b |",
        "- 列表\n# 标题\n> 引用",
        "\\![x](http://127.0.0.1:9/beacon.png)",
    ],
)
def test_markup_is_escaped(text):
    escaped = escape_md(text)
    assert "](" not in escaped.replace("\\]\\(", "")
    assert not re.search(r"(?<!\\)[!\[\]()<>`*_#|~$]", escaped.replace("\\\\", ""))
    assert unescape(escaped) == " ".join(text.splitlines())


def test_escaped_text_reads_the_same():
    assert escape_md(BEACON) == r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/beacon\.png\)"
    assert unescape(escape_md(HYPERLINK)) == HYPERLINK


def test_newlines_do_not_start_blocks():
    assert "\n" not in escape_md("甲\n# 乙\r\n- 丙")


def test_escape_html_for_chart_labels():
    assert escape_html("<b>李</b>&") == "&lt;b&gt;李&lt;/b&gt;&amp;"
    assert escape_html("王芳") == "王芳"


def test_md_escapes_only_user_values():
    out = md("todo.count", n=3, overdue=1)
    assert out  # a template with numbers formats as before
    assert md("missing.key.for.test") == "missing.key.for.test"
