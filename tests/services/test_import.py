"""Bulk import: real files built here (xlsx with title rows and merged cells, GBK CSV, bad rows,
formulas, macros, oversized), planned and written on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import xlsxwriter
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.enums import AuditAction, Gender, LeftBehindType, Role
from db.models import AuditEntry, Child, Classroom, LeftBehindHistory
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.importing import parsing, values
from services.importing.parsing import read_roster, suggest_mapping
from services.importing.plan import apply_import, plan_import
from services.importing.preview import error_sheet, plan_frame, problems_frame
from services.importing.roster_template import roster_template
from services.records.children import ChildFilter, archive_completeness
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.workbooks import xlsx_bytes

TODAY = date(2026, 11, 28)
GUARDIAN = ("guardian_name", "guardian_relation", "guardian_phone")


def csv_bytes(rows: list[list[object]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def school_setup(session):
    school = make_school(session, name="青山小学")
    principal = make_user(session, school, Role.PRINCIPAL, username="principal")
    head = make_user(session, school, Role.HEAD_TEACHER, username="head")
    room = make_classroom(session, school, grade=3, number=2, head=head)
    existing = make_child(
        session,
        school,
        room,
        student_no="G100001",
        name="张小萍",
        birth_date=date(2017, 5, 1),
        left_behind_type=LeftBehindType.FATHER,
        father_phone=None,
    )
    no_number_match = make_child(
        session, school, room, student_no="G100900", name="陈静", birth_date=date(2016, 9, 1)
    )
    session.commit()
    return {
        "school": school,
        "principal": actor_of(session, principal),
        "head": actor_of(session, head),
        "room": room,
        "existing": existing,
        "by_identity": no_number_match,
    }


ROSTER_HEADER = [
    "学籍号",
    "姓名",
    "性别",
    "出生年月",
    "班级",
    "留守情况",
    "父亲联系电话",
    "代理监护人",
]


def school_roster() -> bytes:
    """Two title rows (merged), odd headers, every date form, class merged down two rows."""
    return xlsx_bytes(
        [
            ["青山小学留守儿童花名册"],
            ["填表日期：2026年9月"],
            ROSTER_HEADER,
            [
                "G100001",
                "张小萍",
                "女",
                "2017.05",
                "三年级2班",
                "父母均外出",
                13812345678,
                "王奶奶",
            ],
            [
                "G100002",
                "李四",
                "男",
                datetime(2016, 3, 1),
                "四年级(1)班",
                "父亲外出",
                "138 1234 5679",
                "李爷",
            ],
            ["G100003", "王五", "男", "2015年3月", None, "双亲外出", None, "王爷爷"],
            ["G100004", "赵六", "女", 42430, "3.2", "母亲外出", "0851-1234567", "赵奶奶"],
            ["G100005", "钱七", "男", 2015.1, "三年级（2）班", "非留守", None, None],
            ["", "陈静", "女", "2016/9/1", "3.2", "双亲外出", None, "陈奶奶"],
        ],
        merges=("A1:H1", "A2:H2", "E5:E6"),
    )


def plan_of(session, actor, data: bytes, name: str = "花名册.xlsx"):
    sheet = read_roster(data, name)
    return sheet, plan_import(session, actor, sheet, suggest_mapping(sheet.headers), today=TODAY)


def test_roster_with_title_rows_and_merged_cells_is_planned_right(session, school_setup):
    sheet, plan = plan_of(session, school_setup["principal"], school_roster())
    assert sheet.header_row == 3
    assert plan.problems == []
    actions = {r.row: (r.action, r.name, r.classroom) for r in plan.rows}
    assert actions == {
        4: ("update", "张小萍", "3年级(2)班"),
        5: ("insert", "李四", "四年级(1)班"),
        6: ("insert", "王五", "四年级(1)班"),  # class cell merged with the row above
        7: ("insert", "赵六", "3年级(2)班"),
        8: ("insert", "钱七", "3年级(2)班"),
        9: ("update", "陈静", "3年级(2)班"),  # no 学籍号: matched by name + birth date + class
    }
    changes = {c.field: (c.before, c.after) for c in plan.rows[0].changes}
    assert changes == {
        "left_behind_type": (LeftBehindType.FATHER, LeftBehindType.BOTH),
        "father_phone": (None, "13812345678"),
    }
    assert plan.new_classrooms == {(4, 1): "四年级(1)班"}


def test_apply_writes_every_row_with_parsed_values_and_audits(session, school_setup):
    actor = school_setup["principal"]
    sheet, plan = plan_of(session, actor, school_roster())
    result = apply_import(
        session, actor, sheet, suggest_mapping(sheet.headers), plan.signature(), today=TODAY
    )
    session.commit()
    assert (result.inserted, result.updated, result.new_classrooms) == (4, 2, ["四年级(1)班"])
    children = {c.student_no: c for c in session.scalars(select(Child))}
    assert children["G100001"].left_behind_type == LeftBehindType.BOTH
    assert children["G100001"].father_phone == "13812345678"
    assert children["G100002"].birth_date == date(2016, 3, 1)
    assert children["G100002"].father_phone == "13812345679"
    assert children["G100003"].birth_date == date(2015, 3, 1)
    assert children["G100004"].birth_date == date(2016, 3, 1)  # Excel serial 42430
    assert children["G100004"].father_phone == "0851-1234567"
    assert children["G100005"].birth_date == date(2015, 10, 1)  # 2015.1 typed as "2015.10"
    assert children["G100005"].left_behind_type == LeftBehindType.NONE
    assert children["G100002"].gender == Gender.MALE
    assert children["G100900"].guardian_name == "陈奶奶"
    new_room = session.scalar(select(Classroom).where(Classroom.grade == 4))
    assert children["G100003"].classroom_id == new_room.id
    assert children["G100002"].classroom_id == new_room.id
    history = session.scalars(
        select(LeftBehindHistory).where(LeftBehindHistory.child_id == children["G100002"].id)
    ).all()
    assert [h.left_behind_type for h in history] == [LeftBehindType.FATHER]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.IMPORT))
    assert entry.after["file"] == "花名册.xlsx"
    assert (entry.after["inserted"], entry.after["updated"]) == (4, 2)
    assert entry.username == "principal"


def test_two_row_header_with_group_labels(session, school_setup):
    data = xlsx_bytes(
        [
            ["学籍号", "姓名", "班级", "父亲", None, "监护人", None],
            [None, None, None, "姓名", "联系电话", "姓名", "电话"],
            ["G100010", "孙八", "3.2", "孙大", "13900001111", "孙奶奶", "13900002222"],
        ],
        merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:G1"),
    )
    _, plan = plan_of(session, school_setup["principal"], data)
    assert plan.problems == []
    values = plan.rows[0].values
    assert values["father_name"] == "孙大"
    assert values["father_phone"] == "13900001111"
    assert values["guardian_name"] == "孙奶奶"
    assert values["guardian_phone"] == "13900002222"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8(session, school_setup, encoding):
    data = csv_bytes(
        [
            ["XX小学留守儿童花名册"],
            ["学籍编号", "学生姓名", "性别", "生日", "年级", "班级", "类型", "临时监护人"],
            ["G100020", "周九", "男", "2015/3/1", "三年级", "2班", "父亲外出", "周奶奶"],
        ],
        encoding,
    )
    _, plan = plan_of(session, school_setup["principal"], data, "roster.csv")
    assert plan.problems == []
    row = plan.rows[0]
    assert (row.action, row.name, row.classroom) == ("insert", "周九", "3年级(2)班")
    assert row.values["birth_date"] == date(2015, 3, 1)
    assert row.values["left_behind_type"] == LeftBehindType.FATHER
    assert row.values["guardian_name"] == "周奶奶"


def bad_roster() -> bytes:
    return xlsx_bytes(
        [
            ROSTER_HEADER,
            ["G100030", "好一", "男", "2016-01-01", "3.2", "双亲外出", 13811112222, "甲"],
            ["G100031", "坏二", "X", "2015/13/1", "三年级2班", "父亲外出", 12345, "乙"],
            ["G100032", "", "男", "2016-01-01", "3.2", "双亲外出", None, "丙"],
            ["G100030", "重三", "女", "2016-01-01", "十年级", "外星", None, "丁"],
            ["G100033", "好四", "女", "2030-01-01", "3.2", "单亲外出", None, "戊"],
        ]
    )


def test_every_bad_row_is_reported_exactly(session, school_setup):
    _, plan = plan_of(session, school_setup["principal"], bad_roster())
    reported = {(p.row, p.column, str(p.value)) for p in plan.problems}
    assert reported == {
        ("3", "性别", "X"),
        ("3", "出生年月", "2015/13/1"),
        ("3", "父亲联系电话", "12345"),
        ("4", "姓名", ""),
        ("5", "班级", "十年级"),
        ("5", "留守情况", "外星"),
        ("6", "出生年月", "2030-01-01"),
        ("6", "留守情况", "单亲外出"),
    }
    reasons = {(p.row, p.column): p.message for p in plan.problems}
    assert "男" in reasons[("3", "性别")]
    assert "必填" in reasons[("4", "姓名")]
    assert not plan.ok
    assert [r.row for r in plan.rows] == [2]


def test_duplicate_student_number_in_the_file(session, school_setup):
    data = xlsx_bytes(
        [
            ROSTER_HEADER,
            ["G100040", "甲", "男", "2016-01-01", "3.2", "双亲外出", None, None],
            ["G100040", "乙", "男", "2016-01-01", "3.2", "双亲外出", None, None],
        ]
    )
    _, plan = plan_of(session, school_setup["principal"], data)
    assert [(p.row, p.column) for p in plan.problems] == [("3", "学籍号")]
    assert "第 2 行" in plan.problems[0].message


def test_nothing_is_written_when_any_row_is_bad(session, school_setup):
    actor = school_setup["principal"]
    before = session.scalar(select(func.count(Child.id)))
    sheet = read_roster(bad_roster(), "bad.xlsx")
    with pytest.raises(ValidationFailed) as caught:
        apply_import(session, actor, sheet, suggest_mapping(sheet.headers), today=TODAY)
    session.rollback()
    assert len(caught.value.problems) == 8
    assert session.scalar(select(func.count(Child.id))) == before
    assert session.scalar(select(func.count(Classroom.id))) == 1
    assert session.scalar(select(func.count(AuditEntry.id))) == 0


def test_error_sheet_lists_every_problem(session, school_setup):
    _, plan = plan_of(session, school_setup["principal"], bad_roster())
    sheet = load_workbook(io.BytesIO(error_sheet(plan.problems))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "内容", "原因")
    assert len(rows) == 9
    assert rows[1][:3] == (3, "性别", "X")
    assert problems_frame(plan.problems).shape == (8, 4)


def test_formula_cells_are_refused(session, school_setup):
    data = xlsx_bytes(
        [ROSTER_HEADER, ["G100050", "甲", "男", "2016-01-01", "3.2", "双亲外出", None, None]],
        H2="=CONCAT(B2,B2)",
    )
    with pytest.raises(ValidationFailed) as caught:
        read_roster(data, "f.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [("2", "H")]
    assert "公式" in caught.value.problems[0].message


def test_macro_files_and_other_types_are_refused():
    for name in ("roster.xlsm", "roster.xls", "roster.txt"):
        with pytest.raises(ValidationFailed) as caught:
            read_roster(b"PK\x03\x04 something", name)
        assert caught.value.problems[0].value == name
    with pytest.raises(ValidationFailed, match="1 problem"):
        read_roster(b"not a zip at all", "roster.xlsx")


def test_oversized_file_and_too_many_rows(monkeypatch):
    data = xlsx_bytes([ROSTER_HEADER] + [[f"G{i:06d}", "甲", "男", None, "3.2"] for i in range(30)])
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", len(data) - 1)
    with pytest.raises(ValidationFailed) as caught:
        read_roster(data, "big.xlsx")
    assert "MB" in caught.value.problems[0].message
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(parsing, "MAX_ROWS", 29)
    with pytest.raises(ValidationFailed) as caught:
        read_roster(data, "big.xlsx")
    assert "30" in caught.value.problems[0].message and "29" in caught.value.problems[0].message


def test_only_principal_and_admin_may_import(session, school_setup):
    sheet = read_roster(school_roster(), "花名册.xlsx")
    with pytest.raises(NotAllowed):
        plan_import(session, school_setup["head"], sheet, suggest_mapping(sheet.headers))


def test_changes_after_the_preview_are_detected(session, school_setup):
    actor = school_setup["principal"]
    sheet, plan = plan_of(session, actor, school_roster())
    school_setup["existing"].father_phone = "13812345678"
    session.commit()
    with pytest.raises(ConflictError):
        apply_import(
            session, actor, sheet, suggest_mapping(sheet.headers), plan.signature(), today=TODAY
        )


def test_missing_required_columns(session, school_setup):
    data = xlsx_bytes([["学籍号", "姓名", "性别"], ["G100060", "甲", "男"]])
    _, plan = plan_of(session, school_setup["principal"], data)
    assert [p.column for p in plan.problems] == ["班级"]


def test_progress_is_reported(session, school_setup):
    seen: list[float] = []
    sheet = read_roster(school_roster(), "花名册.xlsx", progress=lambda f, _m: seen.append(f))
    apply_import(
        session,
        school_setup["principal"],
        sheet,
        suggest_mapping(sheet.headers),
        progress=lambda f, _m: seen.append(f),
        today=TODAY,
    )
    assert seen[0] < seen[-1] == 1.0
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2015, 3, 1, 0, 0), date(2015, 3, 1)),
        (42064, date(2015, 3, 1)),
        ("2015.03", date(2015, 3, 1)),
        (2015.03, date(2015, 3, 1)),
        ("2015年3月", date(2015, 3, 1)),
        ("2015年3月9日", date(2015, 3, 9)),
        ("2015/3/1", date(2015, 3, 1)),
        ("2015-03-01", date(2015, 3, 1)),
        ("20150301", date(2015, 3, 1)),
        ("2015-03-01 00:00:00", date(2015, 3, 1)),
        ("2015.3.1", date(2015, 3, 1)),
        ("", None),
    ],
)
def test_date_forms(raw, expected):
    assert values.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "grade", "expected"),
    [
        ("三年级2班", None, (3, 2)),
        ("三年级(2)班", None, (3, 2)),
        ("三年级（12）班", None, (3, 12)),
        ("3.2", None, (3, 2)),
        (3.2, None, (3, 2)),
        ("3-2", None, (3, 2)),
        ("初一(3)班", None, (7, 3)),
        ("三(2)班", None, (3, 2)),
        ("三年二班", None, (3, 2)),
        ("2班", "五年级", (5, 2)),
        ("十二班", "6", (6, 12)),
    ],
)
def test_class_forms(raw, grade, expected):
    assert values.parse_class(raw, grade) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("双亲外出", LeftBehindType.BOTH),
        ("父母均外出", LeftBehindType.BOTH),
        ("父母外出务工", LeftBehindType.BOTH),
        ("父亲外出", LeftBehindType.FATHER),
        ("母亲外出", LeftBehindType.MOTHER),
        ("非留守", LeftBehindType.NONE),
        ("否", LeftBehindType.NONE),
    ],
)
def test_left_behind_words(raw, expected):
    assert values.parse_left_behind(raw) == expected


def test_phone_forms():
    assert values.parse_phone(13812345678.0) == "13812345678"
    assert values.parse_phone("+86 138-1234-5678") == "13812345678"
    assert values.parse_phone("0851-1234567") == "0851-1234567"
    for bad in ("1381234567", "23812345678", "12345"):
        with pytest.raises(values.BadValue):
            values.parse_phone(bad)


@pytest.mark.parametrize(
    ("raw", "province", "city"),
    [
        ("广东省深圳市宝安区某电子厂", "广东", "深圳"),
        ("江苏省苏州市工业园区", "江苏", "苏州"),  # 州 inside the name, 市 after it
        ("浙江省杭州市萧山区", "浙江", "杭州"),
        ("广东省广州市白云区", "广东", "广州"),
        ("福建省福州市", "福建", "福州"),
        ("河南省郑州市金水区", "河南", "郑州"),
        ("甘肃省兰州市", "甘肃", "兰州"),
        ("浙江温州", "浙江", "温州"),  # no 省, no 市
        ("江苏苏州工业园区某电子厂", "江苏", "苏州"),
        ("广东 东莞", "广东", "东莞"),
        ("江苏省苏州工业园区某超市", "江苏", "苏州"),  # a 市 far into the text is no city
        ("浙江省杭州某市场", "浙江", "杭州"),
        ("广东省佛山某市场", "广东", None),
        ("北京市朝阳区", "北京", "北京"),  # 直辖市
        ("上海", "上海", "上海"),
        ("天津市滨海新区", "天津", "天津"),
        ("重庆市渝北区", "重庆", "重庆"),
        ("广西壮族自治区南宁市", "广西", "南宁"),  # 自治区
        ("内蒙古自治区呼和浩特市", "内蒙古", "呼和浩特"),
        ("新疆维吾尔自治区乌鲁木齐市", "新疆", "乌鲁木齐"),
        ("宁夏回族自治区银川市", "宁夏", "银川"),
        ("西藏自治区拉萨市", "西藏", "拉萨"),
        ("广西南宁", "广西", "南宁"),
        ("江苏省昆山市", "江苏", "昆山"),  # 县级市
        ("浙江省义乌市", "浙江", "义乌"),
        ("江苏省苏州市昆山市", "江苏", "苏州"),
        ("黑龙江省哈尔滨市", "黑龙江", "哈尔滨"),
        ("吉林省吉林市", "吉林", "吉林"),
        ("湖北省恩施土家族苗族自治州", "湖北", "恩施土家族苗族自治州"),
        ("新疆阿克苏地区", "新疆", "阿克苏地区"),
        ("内蒙古锡林郭勒盟", "内蒙古", "锡林郭勒盟"),
        ("深圳市宝安区", None, "深圳"),  # no province written
        ("某电子厂", None, None),
    ],
)
def test_work_place_is_split_into_province_and_city(raw, province, city):
    assert values.split_work_place(raw) == (province, city, raw)


def test_template_round_trips_through_the_import(session, school_setup):
    data = roster_template()
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    validations = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert any("双亲外出" in formula for formula in validations.values())
    assert any("男" in formula for formula in validations.values())
    raw, plan = plan_of(session, school_setup["principal"], data, "模板.xlsx")
    assert all(suggest_mapping(raw.headers).values())
    assert plan.problems == []
    assert [(r.action, r.name, r.classroom) for r in plan.rows] == [
        ("insert", "张小萍", "3年级(2)班")
    ]
    values = plan.rows[0].values
    assert values["guardian_phone"] == "0851-1234567"
    assert values["father_work_province"] == "广东"


def test_xlsxwriter_file_with_blank_rows_keeps_exact_row_numbers(session, school_setup):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("花名册")
    sheet.merge_range("A2:E2", "青山小学留守儿童花名册")  # row 1 left empty, title merged
    sheet.write_row(3, 0, ["学籍号", "姓名", "性别", "班级", "留守类型"])  # header on row 4
    sheet.write_row(4, 0, ["G100070", "甲", "男", "三年级2班", "双亲外出"])
    sheet.merge_range("D7:D8", "四年级1班")  # class merged down; row 6 blank
    sheet.write_row(6, 0, ["G100071", "乙", "女"])
    sheet.write_row(7, 0, ["G100072", "丙", "X"])
    workbook.close()
    raw, plan = plan_of(session, school_setup["principal"], buffer.getvalue())
    assert raw.header_row == 4
    assert [(r.row, r.name, r.classroom) for r in plan.rows] == [
        (5, "甲", "3年级(2)班"),
        (7, "乙", "四年级(1)班"),
    ]
    assert [(p.row, p.column, p.value) for p in plan.problems] == [("8", "性别", "X")]


def test_a_class_move_is_shown_by_class_names(session, school_setup):
    make_classroom(session, school_setup["school"], grade=4, number=1)
    session.commit()
    data = xlsx_bytes([ROSTER_HEADER, ["G100001", "张小萍", "女", None, "4.1", None, None, None]])
    _, plan = plan_of(session, school_setup["principal"], data)
    (row,) = plan.rows
    assert [(c.field, c.before, c.after) for c in row.changes] == [
        ("classroom_id", "3年级(2)班", "4年级(1)班")
    ]
    assert "班级: 3年级(2)班 → 4年级(1)班" in plan_frame(plan).iloc[0]["变更内容"]


def test_the_parent_at_home_becomes_the_guardian_when_none_is_given(session, school_setup):
    actor = school_setup["principal"]
    header = ["学籍号", "姓名", "性别", "出生日期", "班级", "留守类型", "父亲姓名", "父亲电话"]
    header += ["父亲务工地点", "母亲姓名", "母亲电话", "监护人", "监护人电话"]

    def row(number: str, name: str, kind: str, father: tuple, mother: tuple) -> list[object]:
        guardian = ("吴奶奶", "13900000007") if name == "吴四" else (None, None)
        return [number, name, "女", "2017-03-01", "3.2", kind, *father, *mother, *guardian]

    data = xlsx_bytes(
        [
            header,
            row(
                "G100080",
                "吴一",
                "父亲外出",
                ("吴大", "13900000001", "广东省东莞市"),
                ("刘芳", "13900000002"),
            ),
            row(
                "G100081",
                "吴二",
                "母亲外出",
                ("吴三", "13900000003", None),
                ("陈红", "13900000004"),
            ),
            row(
                "G100082",
                "吴四",
                "父亲外出",
                ("吴五", "13900000005", "浙江省义乌市"),
                ("李梅", "13900000006"),
            ),
            row(
                "G100083",
                "吴六",
                "双亲外出",
                ("吴七", "13900000008", "福建省福州市"),
                ("周兰", "13900000009"),
            ),
        ]
    )
    sheet, plan = plan_of(session, actor, data)
    assert plan.problems == []
    rows = {r.name: r for r in plan.rows}
    assert {k: rows["吴一"].values.get(k) for k in GUARDIAN} == {
        "guardian_name": "刘芳",
        "guardian_relation": "母亲",
        "guardian_phone": "13900000002",
    }
    assert rows["吴一"].inferred == ["guardian_name", "guardian_relation", "guardian_phone"]
    assert rows["吴二"].values["guardian_relation"] == "父亲"
    assert rows["吴二"].values["guardian_phone"] == "13900000003"
    assert rows["吴四"].inferred == [] and rows["吴四"].values["guardian_name"] == "吴奶奶"
    assert rows["吴六"].inferred == [] and "guardian_name" not in rows["吴六"].values
    notes = plan_frame(plan).set_index("姓名")["说明"]
    assert "母亲" in notes["吴一"] and "父亲" in notes["吴二"] and notes["吴四"] == ""

    apply_import(session, actor, sheet, suggest_mapping(sheet.headers), today=TODAY)
    wu = session.scalar(select(Child).where(Child.student_no == "G100080"))
    assert (wu.guardian_name, wu.guardian_relation) == ("刘芳", "母亲")
    assert (wu.father_work_province, wu.father_work_city) == ("广东", "东莞")
    rate = archive_completeness(session, actor, ChildFilter(search="G100080"))
    assert (rate.complete, rate.total) == (1, 1)  # the archive is complete: 建档 counts it


def test_a_stored_guardian_is_not_replaced_by_the_parent_at_home(session, school_setup):
    """张小萍 (father away) already has a guardian: a file without one leaves it alone."""
    data = xlsx_bytes(
        [
            ["学籍号", "姓名", "班级", "留守类型", "母亲姓名", "母亲电话"],
            ["G100001", "张小萍", "3.2", "父亲外出", "钱丽", "13900000010"],
        ]
    )
    _, plan = plan_of(session, school_setup["principal"], data)
    (row,) = plan.rows
    assert row.inferred == []
    assert {c.field for c in row.changes} == {"mother_name", "mother_phone"}
