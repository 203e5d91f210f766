"""A Chinese font for reportlab: Debian's WenQuanYi Zen Hei embedded when installed (the PDF then
renders anywhere), else reportlab's built-in CID font STSong-Light (no file needed; the viewer
supplies the glyphs)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

WQY_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
EMBEDDED_NAME, CID_NAME = "WQYZenHei", "STSong-Light"


@cache
def cjk_font() -> str:
    """Register and return the name of the CJK font to use."""
    for path in WQY_PATHS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(EMBEDDED_NAME, str(path), subfontIndex=0))
            return EMBEDDED_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(CID_NAME))
    return CID_NAME


def style(name: str, size: float, leading: float | None = None, **kw: object) -> ParagraphStyle:
    """A paragraph style in the CJK font that wraps Chinese text anywhere (wordWrap="CJK")."""
    return ParagraphStyle(
        name,
        fontName=cjk_font(),
        fontSize=size,
        leading=leading or size * 1.5,
        wordWrap="CJK",
        **kw,  # type: ignore[arg-type]
    )
