"""The bureau report as an official document (公文, GB/T 9704; issue #16 item 5): A4 with the
公文 margins, 方正小标宋 二号 title centred, 黑体/楷体 三号 headings, 仿宋 三号 body at an exact
28 pt line, "— N —" page numbers at the bottom, the school and the date at the end; the PDF in
the same layout with embedded fonts, a heavier face for the headings."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from pypdf import PdfReader

from services.reports import exports, pdf_fonts
from services.reports.blocks import Heading, Paragraph, ReportDocument
from services.reports.bureau_docx import render_docx
from tests.services.report_helpers import make_report_school

NOVEMBER = exports.month_period(2026, 11)
DEC_2 = date(2026, 12, 2)
A4_POINTS = (595.28, 841.89)


@pytest.fixture
def school(session):
    return make_report_school(session)


@pytest.fixture
def docx_bytes(session, school) -> bytes:
    return exports.export_bureau_docx(session, school.principal, NOVEMBER, as_of=DEC_2).data


@pytest.fixture
def pdf_bytes(session, school) -> bytes:
    return exports.export_bureau_pdf(session, school.principal, NOVEMBER, as_of=DEC_2).data


def fonts_of(style) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    r_fonts = style.element.rPr.find(qn("w:rFonts"))
    return {key: r_fonts.get(qn(f"w:{key}")) for key in ("ascii", "hAnsi", "eastAsia")}


def assert_style(style, font: str, size: float) -> None:  # type: ignore[no-untyped-def]
    assert fonts_of(style) == {"ascii": font, "hAnsi": font, "eastAsia": font}, style.name
    assert style.font.size == Pt(size), style.name
    assert not style.font.underline and style.font.color.rgb in (None, RGBColor(0, 0, 0)), (
        style.name
    )
    assert style.element.pPr is None or style.element.pPr.find(qn("w:pBdr")) is None


def test_docx_page_is_a4_with_the_gongwen_margins(docx_bytes):
    section = Document(io.BytesIO(docx_bytes)).sections[0]
    expected = {
        "page_width": Mm(210),
        "page_height": Mm(297),
        "top_margin": Mm(37),
        "bottom_margin": Mm(35),
        "left_margin": Mm(28),
        "right_margin": Mm(26),
    }
    for name, value in expected.items():
        assert abs(getattr(section, name) - value) < Mm(0.1), name


def test_docx_styles_name_the_gongwen_fonts_and_sizes(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    title, body = doc.paragraphs[0], doc.styles["Normal"]
    assert title.text == "青山小学留守儿童关爱工作报告（2026年11月）"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert_style(title.style, "方正小标宋简体", 22)
    assert_style(doc.styles["Heading 1"], "黑体", 16)
    assert_style(doc.styles["Heading 2"], "楷体", 16)
    assert_style(body, "仿宋", 16)
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing == Pt(28)
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters of 三号
    headings = [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [p.text[:2] for p in headings] == [f"{n}、" for n in "一二三四五六七八九十"]
    basic = next(p for p in doc.paragraphs if p.text.startswith("截至"))
    assert basic.style.name == "Normal"
    assert "Title" not in {p.style.name for p in doc.paragraphs}


def test_docx_level_two_headings_are_kai():
    document = ReportDocument(
        title="标题", subtitle="副标题", blocks=[Heading("（一）分项", level=2), Paragraph("正文")]
    )
    doc = Document(io.BytesIO(render_docx(document)))
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert (styles["（一）分项"], styles["正文"]) == ("Heading 2", "Normal")


def test_docx_footer_has_a_page_field_between_dashes(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    footer = doc.sections[0].footer
    assert not footer.is_linked_to_previous
    paragraph = footer.paragraphs[0]
    fields = [f.get(qn("w:instr")) for f in paragraph._p.iter(qn("w:fldSimple"))]
    fields += [i.text for i in paragraph._p.iter(qn("w:instrText"))]
    assert any("PAGE" in (field or "").split() for field in fields)
    text = "".join(t.text for t in paragraph._p.iter(qn("w:t")))
    assert text.startswith("— ") and text.endswith(" —")
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert_style(paragraph.style, "宋体", 14)


def test_docx_ends_with_the_school_and_the_date(docx_bytes):
    paragraphs = [p for p in Document(io.BytesIO(docx_bytes)).paragraphs if p.text.strip()]
    issuer, issued = paragraphs[-2], paragraphs[-1]
    assert (issuer.text, issued.text) == ("青山小学", "2026年12月2日")
    assert issuer.alignment == issued.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # GB/T 9704 7.3.5.2: the date two characters in from the right, the issuer's first
    # character two characters left of the date's.
    assert issued.paragraph_format.right_indent == Pt(32)
    assert issuer.paragraph_format.right_indent > issued.paragraph_format.right_indent


def pdf_fonts_used(reader: PdfReader) -> dict[str, bool]:
    """BaseFont → embedded, over every page."""
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            desc = desc.get_object() if desc else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


def test_pdf_is_a4_with_a_page_number_on_every_page(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == (595.3, 841.9)
        assert f"— {number} —" in page.extract_text(), number
    lines = [line.strip() for line in reader.pages[-1].extract_text().split("\n") if line.strip()]
    assert lines[-3:] == ["青山小学", "2026年12月2日", f"— {len(reader.pages)} —"]


def test_pdf_text_stays_inside_the_gongwen_type_area(pdf_bytes):
    page = PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    spots: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, _font, _size):  # type: ignore[no-untyped-def]
        if text.strip():  # where the text starts: its matrix times the page's
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            spots.append((x, tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    mm = 72 / 25.4
    body = [(x, y) for x, y, text in spots if "—" not in text]
    assert min(x for x, _ in body) >= 28 * mm - 1
    assert max(y for _, y in body) <= (297 - 37) * mm + 1
    assert min(y for _, y in body) >= 35 * mm - 1
    number = [(x, y) for x, y, text in spots if "— 1 —" in text]
    assert number and number[0][1] < 35 * mm  # below the type area


def test_pdf_embeds_its_fonts_and_sets_headings_in_a_heavier_face(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts = pdf_fonts_used(reader)
    faces = pdf_fonts.gongwen_faces()
    if faces.heading == pdf_fonts.CID_NAME:
        pytest.skip("no embeddable Chinese font installed (scripts/system-deps.sh installs them)")
    drawn: set[str] = set()
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, _cm, _tm, font, _size: (
                drawn.add(str(font["/BaseFont"])) if font and text.strip() else None
            )
        )
    # reportlab's page preamble selects Helvetica; nothing is written in it.
    assert drawn and all(fonts[name] for name in drawn), (drawn, fonts)
    assert any("WenQuanYi" in name for name in fonts)  # the headings
    if os.path.exists(pdf_fonts.UMING_PATH):
        assert faces.body != faces.heading
        assert any("UMing" in name for name in fonts), fonts  # the body
    if os.path.exists(pdf_fonts.UKAI_PATH):
        assert any("UKai" in name for name in fonts), fonts  # the subtitle (楷体)


def test_libreoffice_renders_the_docx_as_a4_with_page_numbers(docx_bytes, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI (scripts/system-deps.sh installs it)")
        pytest.skip("LibreOffice not installed (make test installs libreoffice-writer-nogui)")
    (tmp_path / "report.docx").write_bytes(docx_bytes)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "report.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    reader = PdfReader(tmp_path / "report.pdf")
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        assert round(float(page.mediabox.width)) == round(A4_POINTS[0])
        assert f"— {number} —" in " ".join(page.extract_text().split()), number
