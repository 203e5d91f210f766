"""Chinese fonts for reportlab: Debian's WenQuanYi Zen Hei embedded when installed (the PDF then
renders anywhere), else reportlab's built-in CID font STSong-Light (no file needed; the viewer
supplies the glyphs). The bureau report (公文) also wants a 宋/仿宋-like face for its text and a
楷 face: Debian's AR PL UMing and UKai (fonts-arphic-uming, fonts-arphic-ukai) when installed,
else Zen Hei for all. Only TrueType outlines can be embedded: Noto CJK (CFF) cannot.

`a4_pdf` builds an A4 document from a story with given margins and an optional drawing on every
page (page numbers)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

WQY_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
UMING_PATH = Path("/usr/share/fonts/truetype/arphic/uming.ttc")  # index 0: AR PL UMing CN
UKAI_PATH = Path("/usr/share/fonts/truetype/arphic/ukai.ttc")  # index 0: AR PL UKai CN
EMBEDDED_NAME, CID_NAME = "WQYZenHei", "STSong-Light"


@dataclass(frozen=True)
class Faces:
    """The registered font names of the 公文 layout on this machine."""

    heading: str  # title and 一、 headings (黑体): Zen Hei
    kai: str  # （一） headings and the line under the title (楷体): UKai, else the text face
    body: str  # text, tables and page numbers (仿宋/宋体): UMing, else Zen Hei


@cache
def cjk_font() -> str:
    """Register and return the name of the CJK font to use."""
    for path in WQY_PATHS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(EMBEDDED_NAME, str(path), subfontIndex=0))
            return EMBEDDED_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(CID_NAME))
    return CID_NAME


def style(
    name: str, size: float, leading: float | None = None, font: str | None = None, **kw: object
) -> ParagraphStyle:
    """A paragraph style in the CJK font (or `font`) that wraps Chinese text anywhere
    (wordWrap="CJK")."""
    return ParagraphStyle(
        name,
        fontName=font or cjk_font(),
        fontSize=size,
        leading=leading or size * 1.5,
        wordWrap="CJK",
        **kw,  # type: ignore[arg-type]
    )


def _embedded(name: str, path: Path) -> str | None:
    if not path.exists():
        return None
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


@cache
def gongwen_faces() -> Faces:
    heading = cjk_font()
    body = _embedded("ARPLUMingCN", UMING_PATH) or heading
    return Faces(heading=heading, kai=_embedded("ARPLUKaiCN", UKAI_PATH) or body, body=body)


PageDrawing = Callable[[object, BaseDocTemplate], None]


def a4_pdf(
    story: list,
    title: str,
    margins: tuple[float, float, float, float],
    on_page: PageDrawing | None = None,
) -> bytes:
    """`story` on A4 pages; `margins` (top, right, bottom, left) in points; `on_page(canvas,
    doc)` draws on each page once its content is there (e.g. the page number)."""
    top, right, bottom, left = margins
    frame = Frame(left, bottom, A4[0] - left - right, A4[1] - top - bottom, 0, 0, 0, 0)
    template = PageTemplate("page", [frame], onPageEnd=on_page or (lambda _c, _d: None))
    buffer = io.BytesIO()
    BaseDocTemplate(buffer, pagesize=A4, pageTemplates=[template], title=title).build(story)
    return buffer.getvalue()
