"""User-entered text shown as text (DESIGN.md §3): escape Markdown and HTML before it is rendered.

`st.markdown`, `st.caption`, `st.info`/`warning`/`error`/`success`, headers and widget labels
(buttons, expanders, tabs, metrics) render Markdown: a child named `![x](http://host/b.png)` would
make the browser fetch that address, `[y](http://x)` would become a link, `$…$` LaTeX, `:red[…]` a
coloured span. `escape_md` puts a backslash before every ASCII punctuation character (CommonMark
lets any of them be escaped, and the escape shows as the character itself), so the text reads the
same and nothing in it is markup. Chinese text and full-width punctuation are unchanged.

Spreadsheet formulae (`=HYPERLINK(…)`, leading `=`/`+`/`-`/`@`) are harmless here — they only
matter in exported workbooks (services/reports) — but their `(`, `"` and `=` are escaped like any
other punctuation. Selectbox/radio options and dataframe cells are plain text: leave them alone.

Plotly renders a subset of HTML in labels and hover text: `escape_html` is for chart labels.
"""

from __future__ import annotations

import html
import string
from typing import Any

from locales import t

_ESCAPES = str.maketrans({c: "\\" + c for c in string.punctuation})


def escape_md(text: Any) -> str:
    """`text` (None → "") with every ASCII punctuation character backslash-escaped.

    Newlines become spaces: a user's line break must not start a heading, list or table row.
    """
    if text is None:
        return ""
    plain = " ".join(str(text).splitlines())
    return plain.translate(_ESCAPES)


def escape_html(text: Any) -> str:
    """`text` (None → "") for Plotly labels and hover text: `<`, `>` and `&` as entities.

    Quotes stay: Plotly decodes only a few named entities (`&lt;` `&gt;` `&amp;`), and without `<`
    no tag, so no attribute, can form.
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=False)


def md(key: str, **values: Any) -> str:
    """Locale string `key` (Markdown allowed) formatted with its text values Markdown-escaped.

    Only `str` values are escaped: numbers and dates format as before (no `66\\.7`).
    """
    return t(key, **{k: escape_md(v) if isinstance(v, str) else v for k, v in values.items()})
