"""Workbook export of a whole school and import of a whole roster (DESIGN.md §9: each < 10 s).

- Workbook: the seeded 5,000-child school with ~200,000 contacts over 12 months (cached under
  data/bench/), exported for the autumn term and for the whole year (every contact of the year in
  the contacts sheet). The export's audit row is rolled back, the cached database is unchanged.
- Bureau report (.docx without charts, and the chart rendering alone) for the same school and term.
- Import: a generated 5,000-row .xlsx roster (title row, Chinese headers, mixed date forms) into a
  fresh SQLite database: read + dry run + write, as the page does it.
- The year's workbook against a plain XlsxWriter dump of the same cells (the sheets the export
  wrote, written again with `write_row` in constant_memory mode): `workbook_year_ratio_to_raw_dump`
  in bench/results.json (DESIGN.md §9: within 1.5×).
BENCH_QUICK=1 uses 500 children / rows.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bench.bench_compliance import write_results
from bench.timing import fmt, seeded_sqlite
from db.engine import make_engine
from db.enums import Role
from db.migrate import upgrade
from db.models import School, User
from services.actor import Actor, load_actor
from services.importing.parsing import read_roster, suggest_mapping
from services.importing.plan import apply_import, plan_import
from services.reports import workbook as workbook_module
from services.reports.exports import (
    export_bureau_docx,
    export_workbook,
    month_period,
    term_period,
    year_period,
)

AUTUMN = term_period("2026年秋季学期", date(2026, 9, 1), date(2027, 1, 20))
AS_OF = date(2026, 11, 28)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def principal_of(session: Session) -> Actor:
    user_id = session.scalar(select(User.id).where(User.role == Role.PRINCIPAL).limit(1))
    return load_actor(session, user_id)


@contextmanager
def sheets_written(into: list) -> Iterator[None]:
    """Record the (sheets, title lines) the workbook writer is given."""
    writer = workbook_module.frames_to_xlsx

    def recording(sheets, title_lines, *args):  # type: ignore[no-untyped-def]
        into[:] = [(sheets, title_lines)]
        return writer(sheets, title_lines, *args)

    workbook_module.frames_to_xlsx = recording
    try:
        yield
    finally:
        workbook_module.frames_to_xlsx = writer


def plain_dump(sheets: list, title_lines: list[str]) -> bytes:
    """The same cells with plain XlsxWriter: title lines, header, rows by write_row."""
    buffer = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"}  # fmt: skip
    book = xlsxwriter.Workbook(buffer, options)
    for name, frame in sheets:
        sheet = book.add_worksheet(name[:31])
        for row, line in enumerate(title_lines):
            sheet.write_string(row, 0, line)
        sheet.write_row(len(title_lines), 0, [str(c) for c in frame.columns])
        for row, values in enumerate(frame.itertuples(index=False, name=None)):
            sheet.write_row(len(title_lines) + 1 + row, 0, values)
    book.close()
    return buffer.getvalue()


def year_ratio(factory: sessionmaker, repeat: int) -> tuple[float, float]:
    """(best year export, best plain dump of its cells), in turns."""
    best_export = best_dump = float("inf")
    for _ in range(repeat):
        recorded: list = []
        with factory() as session, sheets_written(recorded):
            actor = principal_of(session)
            seconds, _ = timed(
                lambda: export_workbook(session, actor, year_period(2026), as_of=AS_OF)  # noqa: B023
            )
            session.rollback()
        best_export = min(best_export, seconds)
        best_dump = min(best_dump, timed(lambda: plain_dump(*recorded[0]))[0])  # noqa: B023
    return best_export, best_dump


def bench_workbook(children: int) -> list[tuple[str, str, str]]:
    engine = seeded_sqlite(children, months=12)
    rows: list[tuple[str, str, str]] = []
    factory = sessionmaker(bind=engine)
    periods = (("month", month_period(2026, 11)), ("term", AUTUMN), ("year", year_period(2026)))
    for label, period in periods:
        with factory() as session:
            actor = principal_of(session)
            seconds, export = timed(lambda: export_workbook(session, actor, period, as_of=AS_OF))  # noqa: B023
            session.rollback()
        size = f"{len(export.data) / 1e6:.1f} MB, {export.rows:,} rows"  # type: ignore[attr-defined]
        rows.append((f"workbook export ({label})", f"{children:,} children, {size}", fmt(seconds)))
    with factory() as session:
        actor = principal_of(session)
        seconds, _ = timed(lambda: export_bureau_docx(session, actor, AUTUMN, as_of=AS_OF))
        session.rollback()
    rows.append(("bureau report .docx (no charts)", f"{children:,} children, term", fmt(seconds)))
    export_s, dump_s = year_ratio(factory, repeat=2)
    ratio = export_s / dump_s
    rows += [
        ("plain XlsxWriter dump of the year's cells", f"{children:,} children", fmt(dump_s)),
        ("year workbook ÷ plain dump (target ≤ 1.5×)", f"{children:,} children", f"{ratio:.2f}×"),
    ]
    write_results({"workbook_year_ratio_to_raw_dump": round(ratio, 3)})
    engine.dispose()
    return rows


def roster_file(rows: int, seed: int = 7) -> bytes:
    """A school's roster as schools keep it: a title row, Chinese headers, mixed date forms."""
    rng = random.Random(seed)
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平",
    )
    kinds = ["双亲外出", "父亲外出", "母亲外出", "非留守", "父母均外出"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山小学留守儿童花名册"])
    sheet.append(
        ["学籍号", "姓名", "性别", "出生年月", "班级", "留守情况", "父亲姓名", "父亲联系电话",
         "父亲务工地点", "母亲姓名", "母亲电话", "代理监护人", "与儿童关系", "监护人电话"]
    )  # fmt: skip
    for i in range(rows):
        grade, number = 1 + i % 6, 1 + (i // 6) % 8
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        born = date(2020 - grade, 1 + i % 12, 1 + i % 28)
        birth = [
            born,
            born.strftime("%Y.%m"),
            f"{born.year}年{born.month}月",
            born.strftime("%Y/%m/%d"),
        ][i % 4]
        sheet.append(
            [f"G{i:012d}", name, "男" if i % 2 else "女", birth, f"{grade}.{number}",
             kinds[i % 5], name[0] + "建国", 13800000000 + i, "广东省深圳市宝安区", "刘秀兰",
             f"139{i:08d}", name[0] + "奶奶", "祖母", f"137{i:08d}"]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_import(rows: int) -> list[tuple[str, str, str]]:
    data = roster_file(rows)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'import.db'}")
        upgrade(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as session:
            school = School(name="青山小学", county="青山县", code="BENCH1")
            session.add(school)
            session.flush()
            user = User(
                school_id=school.id, username="bench_principal", display_name="校长",
                role=Role.PRINCIPAL, password_hash="-",
            )  # fmt: skip
            session.add(user)
            session.commit()
            actor = load_actor(session, user.id)

        def run() -> object:
            sheet = read_roster(data, "花名册.xlsx")
            mapping = suggest_mapping(sheet.headers)
            with factory() as session:
                plan = plan_import(session, actor, sheet, mapping)
            with factory() as session:
                result = apply_import(session, actor, sheet, mapping, plan.signature())
                session.commit()
            return result

        seconds, _ = timed(run)
        again, _ = timed(run)  # the same file again: every row matched, nothing changes
        engine.dispose()
    size = f"{len(data) / 1e6:.1f} MB"
    return [
        ("import roster .xlsx (read + dry run + write)", f"{rows:,} rows, {size}", fmt(seconds)),
        ("re-import the same roster (all matched)", f"{rows:,} rows", fmt(again)),
    ]


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    scale = 500 if quick else 5000
    return bench_import(scale) + bench_workbook(scale)
