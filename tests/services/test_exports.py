"""Exports opened as a reader would (openpyxl, python-docx, pypdf, LibreOffice) and their figures
checked against the hand-built school of tests/services/report_helpers.py."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from components.report_figures import report_figures
from db.enums import AuditAction
from db.models import AuditEntry
from services import masking
from services.errors import NotAllowed
from services.reports import charts, exports
from services.reports.data import ReportFilters
from tests.services.report_helpers import make_settled_report_school
from tests.services.report_reading import docx_text

NOVEMBER = exports.month_period(2026, 11)
AS_OF = date(2026, 11, 28)  # November still running
DEC_2 = date(2026, 12, 2)  # November has ended


@pytest.fixture
def school(session):
    return make_settled_report_school(session)


def sheet_rows(data: bytes, name: str, header_row: int = 5) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data))[name]
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def all_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_workbook_has_every_sheet_with_the_schools_figures(session, school):
    export = exports.export_workbook(session, school.principal, NOVEMBER, as_of=AS_OF)
    workbook = load_workbook(io.BytesIO(export.data))
    assert workbook.sheetnames == [
        "儿童名册", "联系记录", "各班各月达标率", "关爱活动", "活动参与", "结对帮扶",
    ]  # fmt: skip
    roster = workbook["儿童名册"]
    assert roster["A1"].value == "青山小学留守儿童关爱工作台账（2026年11月）"
    assert roster.freeze_panes == "A6"
    assert roster.auto_filter.ref.startswith("A5:")
    rows = sheet_rows(export.data, "儿童名册")
    assert [r["姓名"] for r in rows] == ["张小萍", "李明", "王芳", "赵强", "陈静", "刘洋", "孙悦"]
    first = rows[0]
    assert first["留守类型"] == "双亲外出"
    assert first["父亲电话"] == "13811112222"
    assert first["父亲务工地点"] == "广东省深圳市宝安区某电子厂"
    assert first["班主任"] == "李老师"
    assert first["结对教师"] == "王老师"
    assert first["是否重点帮扶对象"] == "是"
    assert first["出生日期"] == datetime(2016, 5, 1)
    work_column = next(c.column_letter for c in roster[5] if c.value == "父亲务工地点")
    assert roster.column_dimensions[work_column].width >= 26  # 13 Chinese characters fit
    contacts = sheet_rows(export.data, "联系记录")
    assert len(contacts) == 4
    assert {c["联系方式"] for c in contacts} == {"家访", "电话"}
    compliance = sheet_rows(export.data, "各班各月达标率")
    by_class = {(r["班级"], r["月份"]): (r["应联系"], r["已完成"]) for r in compliance}
    assert by_class[("三年级(1)班", "2026-11")] == (17, 6)
    assert by_class[("四年级(1)班", "2026-11")] == (4, 0)
    participation = sheet_rows(export.data, "活动参与")
    assert sorted(r["儿童姓名"] for r in participation) == ["刘洋", "张小萍", "李明"]
    pairings = sheet_rows(export.data, "结对帮扶")
    assert sorted(r["儿童姓名"] for r in pairings) == ["张小萍", "陈静"]
    assert export.rows == 7 + 4 + 2 + 1 + 3 + 2
    assert not export.masked


def test_no_cell_is_a_formula(session, school):
    export = exports.export_workbook(session, school.principal, NOVEMBER, as_of=AS_OF)
    workbook = load_workbook(io.BytesIO(export.data))
    cells = [c for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    injected = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert len(injected) == 1
    assert injected[0].data_type == "s"


def test_bureau_gets_the_masked_workbook(session, school):
    export = exports.export_workbook(session, school.bureau, NOVEMBER, as_of=AS_OF)
    assert export.masked and export.file_name.endswith("_脱敏.xlsx")
    rows = sheet_rows(export.data, "儿童名册", header_row=6)
    assert [r["姓名"] for r in rows][:3] == ["张*萍", "李*", "王*"]
    assert rows[0]["父亲电话"] == "138****2222"
    assert rows[0]["学校"] == "青山小学"
    assert "学籍号" not in rows[0]
    text = all_text(export.data)
    for secret in ("宝安区", "13811112222", "张小萍", "了解学习情况"):
        assert secret not in text


def test_demo_mode_masks_the_principals_export(session, school):
    export = exports.export_workbook(session, school.principal, NOVEMBER, demo_mode=True)
    assert export.masked
    assert "张小萍" not in all_text(export.data)


def test_only_principal_admin_and_bureau_may_export(session, school):
    with pytest.raises(NotAllowed):
        exports.export_workbook(session, school.head, NOVEMBER)
    with pytest.raises(NotAllowed):
        exports.export_bureau_docx(session, school.head, NOVEMBER)
    with pytest.raises(NotAllowed):
        exports.export_contact_cards(session, school.bureau, NOVEMBER, school.class_a_id)
    assert exports.export_workbook(session, school.admin, NOVEMBER).masked is False


def test_every_export_is_audited_with_filters_and_rows(session, school):
    filters = ReportFilters(classroom_id=school.class_b_id)
    export = exports.export_workbook(session, school.principal, NOVEMBER, filters, as_of=AS_OF)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    assert entry.entity == "report:workbook"
    assert entry.after["filters"]["classroom_id"] == school.class_b_id
    assert entry.after["filters"]["scope"] == "四年级(1)班"
    assert entry.after["rows"] == export.rows
    assert entry.after["period"] == "2026年11月"
    assert entry.after["masked"] is False
    assert "四年级(1)班" in export.file_name
    names = [r["姓名"] for r in sheet_rows(export.data, "儿童名册")]
    assert names == ["陈静", "刘洋", "孙悦"]


EXPECTED_FIGURES = (
    "青山小学留守儿童关爱工作报告（2026年11月）",
    "生成日期：2026年12月2日",
    "共有在校生7人，其中留守儿童4人，占在校生的57.1%",
    "父母双方外出2人，占50.0%；单亲外出2人，占50.0%",
    "重点帮扶对象的儿童1人",
    "建档率100.0%",
    "已结对帮扶留守儿童2人，占留守儿童4人的50.0%",
    "共记录家校联系4次，其中家访2次、电话和视频联系2次",
    "共开展关爱活动1次，参与3人次",
    "留守儿童4人中有2人参加了活动，参与率50.0%",
    "本学期（2026年秋季学期）已体检2 / 7人",
    "本期没有发放资助的记录",  # the only grant is dated 15 October
    "有2名留守儿童两个月以上没有任何联系记录",
)


def test_bureau_docx_figures(session, school):
    export = exports.export_bureau_docx(session, school.principal, NOVEMBER, as_of=DEC_2)
    text = docx_text(export.data)
    for figure in EXPECTED_FIGURES:
        assert figure in text
    assert "尚未结束" not in text and "截至2026年12月2日" in text
    assert "期中家访 | 4 | 2 | 2 | 0 | 50.0%" in text
    assert "三年级(1)班 | 4 | 3 | 75.0% | 1 | 2" in text
    assert "四年级 | 3 | 1 | 33.3% | 1 | 0" in text  # by grade
    assert "王芳 | 三年级(1)班 | 从未联系" in text
    assert "十、下一步工作" in text  # 八 is 关爱成效 (issue 17)
    assert "范围：全校" in text and "已脱敏" not in text
    assert export.file_name == "青山小学_留守儿童关爱工作报告_2026年11月.docx"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_bureau_pdf_has_the_same_figures_and_an_embedded_font(session, school):
    export = exports.export_bureau_pdf(session, school.principal, NOVEMBER, as_of=DEC_2)
    text = "".join(pdf_text(export.data).split())  # the PDF wraps lines anywhere
    for figure in EXPECTED_FIGURES:
        assert "".join(figure.split()) in text
    reader = PdfReader(io.BytesIO(export.data))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    if os.path.exists("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"):
        embedded = [
            f
            for f in fonts
            if "WenQuanYi" in str(f["/BaseFont"]) and "/FontFile2" in f["/FontDescriptor"]
        ]
        assert embedded, "the Chinese font is embedded"


def test_bureau_report_for_the_bureau_is_masked(session, school):
    export = exports.export_bureau_pdf(session, school.bureau, NOVEMBER, as_of=AS_OF)
    text = pdf_text(export.data)
    assert "青山县" in text and "王*" in text and "本报告已脱敏" in text
    assert "王芳" not in text and "陈静" not in text


def charted_docx(session, school) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The bureau report (docx) asked for with the dashboard's charts: its pictures, its text."""
    export = exports.export_bureau_docx(
        session, school.principal, NOVEMBER, figures=report_figures, as_of=AS_OF
    )
    return len(Document(io.BytesIO(export.data)).inline_shapes), docx_text(export.data)


def test_bureau_docx_embeds_the_dashboard_charts(session, school):
    pictures, text = charted_docx(session, school)
    assert pictures == 5
    assert "各年级留守儿童构成" in text


def test_contact_cards_one_per_child_of_the_class(session, school):
    export = exports.export_contact_cards(session, school.principal, NOVEMBER, school.class_a_id)
    text = pdf_text(export.data)
    assert export.rows == 4
    for name in ("张小萍", "李明", "王芳", "赵强", "13811112222", "广东省深圳市宝安区某电子厂"):
        assert name in text
    assert "陈静" not in text
    assert text.count("青山小学留守儿童联系卡") == 4
    assert len(PdfReader(io.BytesIO(export.data)).pages) == 2


def test_masked_contact_cards(session, school):
    export = exports.export_contact_cards(
        session, school.principal, NOVEMBER, school.class_a_id, demo_mode=True
    )
    text = pdf_text(export.data)
    assert "张*萍" in text and "138****2222" in text and "广东深圳" in text
    assert "张小萍" not in text and "宝安区" not in text


def test_masking_rules():
    assert masking.mask_name("张小萍") == "张*萍"
    assert masking.mask_name("欧阳小明") == "欧**明"
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_phone("0851-1234567") == "0851-***4567"
    assert masking.mask_phone(None) is None


def test_libreoffice_opens_the_docx(session, school, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI (scripts/system-deps.sh installs it)")
        pytest.skip("LibreOffice not installed (make test installs libreoffice-writer-nogui)")
    export = exports.export_bureau_docx(session, school.principal, NOVEMBER, as_of=AS_OF)
    source = tmp_path / "report.docx"
    source.write_bytes(export.data)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    assert "青山小学留守儿童关爱工作报告（2026年11月）" in text
    assert "共有在校生7人" in text


def test_report_is_made_without_charts_when_rendering_fails(session, school, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("no browser")

    monkeypatch.setattr(charts.pio, "write_images", broken)
    pictures, text = charted_docx(session, school)
    assert pictures == 0
    assert "一、基本情况" in text


def test_file_names_are_known_before_the_export(session, school):
    filters = ReportFilters(classroom_id=school.class_a_id)
    cases = [
        ("workbook", exports.export_workbook, {"filters": filters}),
        ("bureau_docx", exports.export_bureau_docx, {"filters": filters}),
        ("bureau_pdf", exports.export_bureau_pdf, {"filters": filters}),
        ("cards", exports.export_contact_cards, {"classroom_id": school.class_a_id}),
    ]
    for report, export, options in cases:
        for demo_mode in (False, True):
            expected = exports.export_file_name(
                session, school.principal, report, NOVEMBER, filters, demo_mode
            )
            made = export(session, school.principal, NOVEMBER, demo_mode=demo_mode, **options)
            assert made.file_name == expected
            assert "三年级(1)班" in expected and ("脱敏" in expected) == demo_mode


def test_class_report_counts_the_class_only(session, school):
    filters = ReportFilters(classroom_id=school.class_b_id)
    export = exports.export_bureau_docx(session, school.principal, NOVEMBER, filters, as_of=AS_OF)
    text = docx_text(export.data)
    assert "范围：四年级(1)班" in text
    assert "共有在校生3人，其中留守儿童1人" in text
    assert "参与1人次。留守儿童1人中有0人参加了活动，参与率0.0%；其他儿童2人中有1人参加" in text
